"""URLs under /data/: the open datasets (every one a 404 unless OPEN_DATA is on)."""

from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("datapackage.json", views.full_package, name="package"),
    path("<slug:slug>.csv", views.csv_file, name="csv"),
    path("<slug:slug>.geojson", views.geojson_file, name="geojson"),
    path("<slug:slug>/", views.dataset_page, name="dataset"),
    path("<slug:slug>/datapackage.json", views.dataset_package, name="dataset-package"),
]
