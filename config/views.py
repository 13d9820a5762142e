"""Operational views: the health check and the answers given when the database is down."""

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# What a database restart or an unreachable server raises. Integrity and programming errors
# are bugs, not outages: they stay 500s.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# API clients read JSON: under this prefix errors are {"detail": ...}, as the API's own are.
API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise. Reads nothing else, writes nothing."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("Health check: database unavailable: %s", exc)
        return JsonResponse({"status": "error", "message": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    logger.warning("Database unavailable while serving %s: %s", request.path, exception)
    if _is_api(request):
        response = _api_error(_("Service temporarily unavailable: try again in a minute."), 503)
    else:
        # Rendered without a request context: nothing on the page may need the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view still gets the 503 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
        return database_unavailable(request, exception)
    if _is_api(request):
        return _api_error(_("Server error: it has been logged."), 500)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an address under /api/ that names no operation gets JSON."""
    if _is_api(request):
        return _api_error(_("Not found."), 404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (e.g. a Host header not in ALLOWED_HOSTS): JSON under /api/."""
    if _is_api(request):
        return _api_error(_("Bad request."), 400)
    return defaults.bad_request(request, exception)
