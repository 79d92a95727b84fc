from django.urls import path

from projects import feeds as project_feeds
from projects import views as project_views

from . import views

app_name = "councils"

urlpatterns = [
    path("", views.council_directory, name="directory"),
    path("join/", views.council_join, name="join"),
    path("memberships/<int:pk>/approve/", views.membership_approve, name="membership_approve"),
    path("memberships/<int:pk>/refuse/", views.membership_refuse, name="membership_refuse"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("memberships/<int:pk>/leave/", views.membership_leave, name="membership_leave"),
    path("<slug:slug>/", views.council_detail, name="detail"),
    path("<slug:slug>/pledges.csv", project_views.council_pledges_csv, name="pledges_csv"),
    path("<slug:slug>/feed/", project_feeds.CouncilProjectsFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", project_feeds.CouncilProjectsAtomFeed(), name="feed_atom"),
    path("<slug:slug>/join/", views.council_join_this, name="join_this"),
    path("<slug:slug>/members/", views.council_members, name="members"),
    path("<slug:slug>/limits/", views.council_limits, name="limits"),
    path("<slug:slug>/commitments/", views.council_commitments, name="commitments"),
    path(
        "<slug:slug>/commitments/<int:pk>/remove/",
        views.council_commitment_remove,
        name="commitment_remove",
    ),
]
