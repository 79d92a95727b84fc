"""Web routes: calls."""

urlpatterns: list = []
