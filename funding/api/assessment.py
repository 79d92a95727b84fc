"""API routes: assessment."""

urlpatterns: list = []
