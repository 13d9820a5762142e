from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control

from config.views import DATABASE_UNAVAILABLE_ERRORS, database_unavailable


class AdminLanguageMiddleware:
    """Give the admin French by default and the language the user picked otherwise.

    The public site uses language-prefixed URLs (French unprefixed), which makes
    LocaleMiddleware force French on every unprefixed path, the admin included. In
    the admin only the language cookie set by the admin's switch counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        if request.path_info.startswith(self.admin_prefix):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, loosened under /admin/ only by CONTENT_SECURITY_POLICY_ADMIN_ADDITIONS.

    The public pages keep the strict policy; the admin's templates (Django's and
    import-export's) carry inline style attributes that the strict one would block.
    """

    admin_prefix = "/admin/"

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(self.admin_prefix):
            additions = settings.CONTENT_SECURITY_POLICY_ADMIN_ADDITIONS
            parts.update = {**additions, **(parts.update or {})}
        return parts


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a short page when the database cannot be reached.

    A view that hits a database restart raises OperationalError or InterfaceError;
    the visitor gets "try again in a minute" instead of a 500 page. Django drops the
    broken connection at the end of the request and CONN_HEALTH_CHECKS opens a fresh
    one on the next, so the app recovers once the database is back. Errors raised by
    other middleware reach config.views.server_error, which answers the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return database_unavailable(request, exception)
        return None


class PrivateWhenSignedInMiddleware:
    """Mark every answer to a signed-in user ``Cache-Control: private, no-store``.

    A public page rendered for a staff member may show private values (contacts, notes,
    drafts); ``Vary: Cookie`` alone lets a shared cache or the browser's back/forward cache keep
    it. Anonymous visitors' pages keep their headers, so they stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
