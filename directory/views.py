from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from networks.models import Network
from organisations.models import Organisation, Theme, Zone


def home(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.published().select_related("typology")
    return render(request, "directory/home.html", {"organisations": organisations})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.published().select_related("typology"), slug=slug
    )
    return render(request, "directory/organisation_detail.html", {"organisation": organisation})


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(Network, slug=slug)
    return render(request, "directory/network_detail.html", {"network": network})


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    organisations = theme.organisations.published()
    return render(
        request, "directory/theme_detail.html", {"theme": theme, "organisations": organisations}
    )


def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(Zone, pk=pk)
    organisations = Organisation.objects.published().in_zone(zone)
    return render(
        request, "directory/zone_detail.html", {"zone": zone, "organisations": organisations}
    )
