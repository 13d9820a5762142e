"""Spam resistance of the public forms, with nothing from outside: a honeypot field, a
minimum time between showing a form and sending it (a signed timestamp in the form), and
a number of proposals per client address and hour (in the cache)."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.addresses import client_ip_address

STAMP_SALT = "corrections.form-started"
# A form left open longer than this is shown again with a new stamp.
STAMP_MAX_AGE = 24 * 3600
RATE_WINDOW_SECONDS = 3600


def form_stamp(started: float | None = None) -> str:
    return signing.dumps(time.time() if started is None else started, salt=STAMP_SALT)


class SpamGuardForm(forms.Form):
    """A form people fill in: bots fill the hidden field or send too fast."""

    # Hidden by the style sheet; a person without styles reads its label.
    homepage = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200, strip=False
    )
    started = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = form_stamp()
        self.fields["homepage"].widget.attrs.update(
            {"autocomplete": "off", "tabindex": "-1", "class": "hp-input"}
        )

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(
                _("This form looks filled in by a program: nothing was recorded.")
            )
        return ""

    def clean_started(self):
        try:
            started = float(
                signing.loads(self.cleaned_data["started"], salt=STAMP_SALT, max_age=STAMP_MAX_AGE)
            )
        except (signing.BadSignature, TypeError, ValueError):
            self._renew_stamp()
            raise forms.ValidationError(
                _("This form was open too long or was altered: check it and send it again.")
            ) from None
        if time.time() - started < settings.PROPOSAL_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("The form was sent too quickly: check it and send it again.")
            )
        return started

    def _renew_stamp(self) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = form_stamp()


def _rate_key(request: HttpRequest) -> str:
    return f"corrections:proposals:{client_ip_address(request)}"


def over_rate_limit(request: HttpRequest) -> bool:
    """This address already sent the most proposals allowed in the current hour."""
    return cache.get(_rate_key(request), 0) >= settings.PROPOSAL_RATE_LIMIT


def count_proposal(request: HttpRequest) -> None:
    key = _rate_key(request)
    # The window starts with the address's first proposal and lasts an hour.
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, RATE_WINDOW_SECONDS)
