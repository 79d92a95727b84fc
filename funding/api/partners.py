"""API routes: partners."""

urlpatterns: list = []
