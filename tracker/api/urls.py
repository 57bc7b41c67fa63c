"""URLs under /api/."""

urlpatterns: list = []
