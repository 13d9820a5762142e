"""The public URLs plus ``/bench/ok/``, the trivial view bench/pages.py compares pages to."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", ok), *project_urlpatterns]
