"""How the admin shows whether a value reaches the public."""

from django.utils.html import format_html
from django.utils.translation import gettext as _


def visibility_badge(is_public: bool, private_reason: str = ""):
    """A label that makes private values impossible to miss in the admin."""
    if is_public:
        return format_html('<span class="visibility-public">{}</span>', _("Public"))
    return format_html(
        '<span class="visibility-private" title="{}">{}</span>', private_reason, _("Private")
    )
