"""Web routes: partners."""

urlpatterns: list = []
