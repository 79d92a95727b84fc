"""Pipeline's guard in front of allauth's OpenID Connect routes (same addresses, same names)."""

from allauth.account import views as account_views
from django.urls import path

from . import views

urlpatterns = [
    # allauth's sign-in and sign-up pages, which show the council buttons (see the wrapper).
    path("login/", views.allow_provider_form_action(account_views.login), name="account_login"),
    path("signup/", views.allow_provider_form_action(account_views.signup), name="account_signup"),
    path("oidc/<str:provider_id>/login/", views.login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        views.callback,
        name="openid_connect_callback",
    ),
    path("3rdparty/signup/", views.not_used, name="socialaccount_signup"),
    path("3rdparty/", views.not_used, name="socialaccount_connections"),
]
