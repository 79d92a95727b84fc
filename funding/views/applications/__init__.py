"""Web routes: applications (apply to a call, the bid's page, edit, submit, withdraw)."""

from django.urls import path

from . import views

urlpatterns = [
    path("calls/<slug:slug>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
]
