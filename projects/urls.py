from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/confirmation/", views.pledge_confirmation, name="pledge_confirmation"),
    path("pledges/<int:pk>/<str:action>/", views.pledge_action, name="pledge_action"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/draft/", views.project_tasks, name="tasks"),
    path("<slug:slug>/edit/<str:section>/", views.project_edit, name="edit"),
    path("<slug:slug>/needs/", views.project_needs, name="needs"),
    path("<slug:slug>/needs/<int:pk>/remove/", views.need_remove, name="need_remove"),
    path("<slug:slug>/check/", views.project_check, name="check"),
    path("<slug:slug>/manage/", views.project_manage, name="manage"),
    path("<slug:slug>/pledge/", views.pledge_new, name="pledge"),
]
