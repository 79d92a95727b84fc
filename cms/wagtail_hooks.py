from django.http import HttpResponseRedirect
from wagtail import hooks

from .selectors import language_urls


@hooks.register("before_serve_page")
def redirect_to_the_translation(page, request, serve_args, serve_kwargs):
    """/cy/news/ when the Welsh news is /cy/newyddion/: go there (see HomePage.route).
    Otherwise note where the language links lead (``core.context_processors.site``)."""
    url = getattr(request, "cms_redirect_url", None)
    if url:
        return HttpResponseRedirect(url)
    request.language_urls = language_urls(page, request)
    return None
