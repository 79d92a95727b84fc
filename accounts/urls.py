from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("security/", views.security, name="security"),
    path("security/sessions/<int:pk>/sign-out/", views.session_end, name="session_end"),
    path(
        "security/sessions/sign-out-others/",
        views.sessions_end_others,
        name="sessions_end_others",
    ),
    path("tokens/", views.api_tokens, name="api_tokens"),  # now part of security/
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("my-data/", views.my_data, name="my_data"),
    path("delete/", views.account_delete, name="account_delete"),
]
