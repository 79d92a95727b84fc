from django.urls import path

from . import feeds, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("areas/", views.areas, name="areas"),
    path("areas/<slug:slug>/follow/", views.area_follow, name="area_follow"),
    path("areas/<slug:slug>/feed/", feeds.AreaProjectsFeed(), name="area_feed"),
    path("areas/<slug:slug>/feed/atom/", feeds.AreaProjectsAtomFeed(), name="area_feed_atom"),
    path("feed/", feeds.NewProjectsFeed(), name="feed"),
    path("feed/atom/", feeds.NewProjectsAtomFeed(), name="feed_atom"),
    path("team/<int:pk>/<str:action>/", views.team_action, name="team_action"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/confirmation/", views.pledge_confirmation, name="pledge_confirmation"),
    path("pledges/<int:pk>/amend/", views.pledge_amend, name="pledge_amend"),
    path("pledges/<int:pk>/amend/check/", views.pledge_amend_check, name="pledge_amend_check"),
    path("pledges/<int:pk>/<str:action>/", views.pledge_action, name="pledge_action"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/draft/", views.project_tasks, name="tasks"),
    path("<slug:slug>/edit/<str:section>/", views.project_edit, name="edit"),
    path("<slug:slug>/needs/", views.project_needs, name="needs"),
    path("<slug:slug>/needs/<int:pk>/remove/", views.need_remove, name="need_remove"),
    path("<slug:slug>/needs/<int:pk>/met/", views.need_met, name="need_met"),
    path("<slug:slug>/check/", views.project_check, name="check"),
    path("<slug:slug>/manage/", views.project_manage, name="manage"),
    path("<slug:slug>/pledge/", views.pledge_new, name="pledge"),
    path("<slug:slug>/pledge/check/", views.pledge_check, name="pledge_check"),
    path("<slug:slug>/join/", views.team_join, name="join"),
    path("<slug:slug>/team/", views.team_manage, name="team"),
    path("<slug:slug>/follow/", views.follow, name="follow"),
    path("<slug:slug>/updates/new/", views.update_new, name="update_new"),
    path("<slug:slug>/updates/feed/", feeds.ProjectUpdatesFeed(), name="updates_feed"),
    path(
        "<slug:slug>/updates/feed/atom/", feeds.ProjectUpdatesAtomFeed(), name="updates_feed_atom"
    ),
    path("<slug:slug>/adopted/", views.adoption_new, name="adopt"),
    path("<slug:slug>/need-this-too/", views.demand_new, name="demand"),
    path("<slug:slug>/need-this-too/take-back/", views.demand_withdraw, name="demand_withdraw"),
]
