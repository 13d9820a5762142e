"""Public pages of corrections and updates: what an update link opens."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from corrections.models import LinkRefused, UpdateLink

# Gone for good (expired, revoked) versus never existed.
REFUSAL_STATUS = {LinkRefused.INVALID: 404, LinkRefused.EXPIRED: 410, LinkRefused.REVOKED: 410}


@never_cache
def self_update(request: HttpRequest, token: str) -> HttpResponse:
    """The organisation's own page behind its personal link, or why the link no longer works."""
    try:
        link = UpdateLink.objects.resolve(token)
    except LinkRefused as refusal:
        return render(
            request,
            "corrections/link_refused.html",
            {"reason": refusal.reason},
            status=REFUSAL_STATUS[refusal.reason],
        )
    UpdateLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return render(
        request,
        "corrections/self_update.html",
        {"link": link, "organisation": link.organisation},
    )
