from django.urls import path

from . import views

app_name = "delivery"

# Under /projects/ beside the project's own pages (pipeline/urls.py includes these first).
urlpatterns = [
    path("<slug:slug>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("<slug:slug>/milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("<slug:slug>/reports/new/", views.report_new, name="report_new"),
    path(
        "<slug:slug>/adoptions/<slug:council>/benefits/",
        views.benefit_edit,
        name="benefit_edit",
    ),
]
