from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("reseaux/", views.network_list, name="network_list"),
    path("reseaux/<slug:slug>/", views.network_detail, name="network_detail"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("zones/<int:pk>/", views.zone_detail, name="zone_detail"),
    path("statistiques/", views.statistics, name="statistics"),
    path("carte/", views.map_view, name="map"),
]
