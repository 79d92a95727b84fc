"""Web routes: applications."""

urlpatterns: list = []
