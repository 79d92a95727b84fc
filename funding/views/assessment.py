"""Web routes: assessment."""

urlpatterns: list = []
