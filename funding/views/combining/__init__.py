"""Web routes: similar bids (organisers and the funder's moderators) and suggestions to combine
two of them (those people, and the officers of the two lead councils)."""

from django.urls import path

from . import pages

urlpatterns: list = [
    path("calls/<slug:slug>/similar/", pages.similar, name="similar"),
    path("calls/<slug:slug>/similar/combine/", pages.suggest, name="combine_suggest"),
    path("combining/<int:pk>/", pages.suggestion, name="combine_suggestion"),
]
