from django.urls import path

from directory import views
from pagecache.cache import cache_public_download
from pagecache.cache import cache_public_page as cached

app_name = "directory"

# Every page is cached for anonymous visitors until the directory's data change.
urlpatterns = [
    path("", cached(views.home), name="home"),
    path("organisations/", cached(views.organisation_list), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        cached(views.organisation_detail),
        name="organisation_detail",
    ),
    path(
        "organisations/<slug:slug>/fiche.pdf",
        cache_public_download(views.organisation_sheet),
        name="organisation_sheet",
    ),
    path("trouver-de-l-aide/", cached(views.find_help), name="find_help"),
    path("reseaux/", cached(views.network_list), name="network_list"),
    path("reseaux/<slug:slug>/", cached(views.network_detail), name="network_detail"),
    path("themes/", cached(views.theme_list), name="theme_list"),
    path("themes/<slug:slug>/", cached(views.theme_detail), name="theme_detail"),
    path("zones/<int:pk>/", cached(views.zone_detail), name="zone_detail"),
    path("statistiques/", cached(views.statistics), name="statistics"),
    path("carte/", cached(views.map_view), name="map"),
    path("ou-l-aide-manque/", cached(views.gaps_page), name="gaps"),
    path("ou-l-aide-manque.csv", cached(views.gaps_csv), name="gaps_csv"),
]
