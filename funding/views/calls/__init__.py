"""Web routes: funders and their calls (under /funding/, and /cy/funding/ in Welsh)."""

from django.urls import path

from . import funders, pages

urlpatterns: list = [
    path("", pages.call_list, name="calls"),
    path("calls/<slug:slug>/", pages.call_detail, name="call"),
    path("calls/<slug:slug>/edit/", pages.call_edit, name="call_edit"),
    path("calls/<slug:slug>/publish/", pages.call_publish, name="call_publish"),
    path("funders/", funders.funder_list, name="funders"),
    path("funders/<slug:slug>/", funders.funder_detail, name="funder"),
    path("funders/<slug:slug>/join/", funders.funder_join, name="funder_join"),
    path("funders/<slug:slug>/members/", funders.funder_members, name="funder_members"),
    path(
        "funders/<slug:slug>/members/<int:pk>/approve/",
        funders.funder_membership_approve,
        name="funder_membership_approve",
    ),
    path(
        "funders/<slug:slug>/members/<int:pk>/refuse/",
        funders.funder_membership_refuse,
        name="funder_membership_refuse",
    ),
    path(
        "funders/<slug:slug>/members/<int:pk>/role/",
        funders.funder_membership_role,
        name="funder_membership_role",
    ),
    path(
        "funders/<slug:slug>/members/<int:pk>/remove/",
        funders.funder_membership_remove,
        name="funder_membership_remove",
    ),
    path("funders/<slug:slug>/calls/new/", pages.call_new, name="call_new"),
]
