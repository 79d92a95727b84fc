"""Web routes: assessment (assessors score applications) and moderation (moderators compare
the scores, shortlist, decide and publish the decisions)."""

from django.urls import path

from . import pages

urlpatterns: list = [
    path("calls/<slug:slug>/assessment/", pages.assessment_list, name="assessment"),
    path("applications/<int:pk>/assess/", pages.assess, name="assess"),
    path(
        "applications/<int:pk>/assess/conflict/",
        pages.assess_conflict,
        name="assess_conflict",
    ),
    path("calls/<slug:slug>/moderation/", pages.moderation, name="moderation"),
    path("applications/<int:pk>/shortlist/", pages.shortlist, name="shortlist"),
    path("applications/<int:pk>/decision/", pages.decide, name="decide"),
    path("calls/<slug:slug>/moderation/publish/", pages.publish, name="publish"),
    path(
        "applications/<int:pk>/tranches/<int:position>/release/",
        pages.tranche_release,
        name="tranche_release",
    ),
]
