"""The site's URLs plus ``/bench/baseline/``; used by ``pipeline.settings.bench`` only."""

from django.urls import path

from pipeline.urls import handler404, handler500
from pipeline.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench_baseline"),
    *site_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
