"""Web routes: a bid's partner councils (the lead's page, inviting, removing) and the invited
council's side (its invitations, confirming or declining)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("applications/<int:pk>/partners/", pages.partners, name="partners"),
    path("applications/<int:pk>/invite/", pages.partner_invite, name="partner_invite"),
    path(
        "applications/<int:pk>/partners/<slug:council>/",
        pages.partner_decide,
        name="partner_decide",
    ),
    path(
        "applications/<int:pk>/partners/<slug:council>/remove/",
        pages.partner_remove,
        name="partner_remove",
    ),
    path("invitations/", pages.invitations, name="invitations"),
]
