from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from exports.api import views

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("services", views.ServiceViewSet, basename="service")
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("networks", views.NetworkViewSet, basename="network")
router.register("partners", views.PartnerViewSet, basename="partner")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
