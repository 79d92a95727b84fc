"""Pipeline's guard in front of allauth's OpenID Connect routes (same addresses, same names)."""

from django.urls import path

from . import views

urlpatterns = [
    path("oidc/<str:provider_id>/login/", views.login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        views.callback,
        name="openid_connect_callback",
    ),
    path("3rdparty/signup/", views.not_used, name="socialaccount_signup"),
    path("3rdparty/", views.not_used, name="socialaccount_connections"),
]
