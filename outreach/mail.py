"""The e-mails the directory sends, in the recipient's language.

Each template is given only what it shows (the organisation's public name, the link…),
never a model instance: a template cannot reach a private value it was not handed.
The HTML alternative is rendered with autoescaping, so a hostile organisation name is text.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def compose(
    template: str, context: dict, to: list[str], language: str, connection=None
) -> EmailMultiAlternatives:
    """The e-mail of ``templates/outreach/<template>_subject.txt``, ``.txt`` and ``.html``,
    rendered in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"outreach/{template}_subject.txt", context)
        text = render_to_string(f"outreach/{template}.txt", context)
        html = render_to_string(f"outreach/{template}.html", context)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a header cannot hold a line break
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    return email


def absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}{path}"
