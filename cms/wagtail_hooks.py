from django.http import HttpResponseRedirect
from wagtail import hooks


@hooks.register("before_serve_page")
def redirect_to_the_translation(page, request, serve_args, serve_kwargs):
    """/cy/about/ when the Welsh "About" page is /cy/amdanom/: go there (see HomePage.route)."""
    url = getattr(request, "cms_translation_url", None)
    if url:
        return HttpResponseRedirect(url)
    return None
