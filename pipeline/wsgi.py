import os

from django.core.wsgi import get_wsgi_application

from pipeline.settings.envfile import load_env_file

load_env_file()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipeline.settings.production")
application = get_wsgi_application()
