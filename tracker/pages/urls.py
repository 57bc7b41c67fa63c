"""URLs of the analysts' pages; every one takes ?as_of=, and ?format=csv for its main list."""

from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("crises/<slug:slug>/", views.crisis_detail, name="crisis"),
    path("crossings/<slug:slug>/", views.crossing_detail, name="crossing"),
    path("disputes/<slug:slug>/", views.dispute_detail, name="dispute"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement"),
    path("timeline/", views.timeline, name="timeline"),
    path("reports/", views.reports, name="reports"),
    path("map/", views.crossings_map, name="map"),
]
