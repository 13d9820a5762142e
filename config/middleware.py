from django.conf import settings
from django.utils import translation


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
