from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("reseaux/<slug:slug>/", views.network_detail, name="network_detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("zones/<int:pk>/", views.zone_detail, name="zone_detail"),
]
