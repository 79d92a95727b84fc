import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from pipeline.settings.envfile import load_env_file

load_env_file()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipeline.settings.production")
application = get_wsgi_application()

# Every view is imported now, not by a reader's first request, and then what start-up built
# (about 230,000 objects that live as long as the worker) is set aside from the garbage
# collector. Its full sweeps had to walk them all: a pause of 100-150 ms, several times a
# minute per worker under load, which whatever request it held waited out (README, "Tenth
# round"). Objects made later are collected as before.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
gc.freeze()
