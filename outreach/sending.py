"""Sending organisations their personal update link, one by one or in a campaign."""

import smtplib
from collections.abc import Callable

from django.core.mail import get_connection
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation

from corrections.models import UpdateLink
from organisations.models import Organisation
from outreach.mail import absolute, compose
from outreach.models import Campaign, Message
from outreach.recipients import CampaignFilters, with_address

# A campaign reports its progress every this many messages.
CAMPAIGN_STEP = 50


def _link_email(
    organisation: Organisation, token: str, link: UpdateLink, language: str, address: str,
    site_url: str, connection,
):  # fmt: skip
    with translation.override(language):
        path = UpdateLink.path_for(token)
        expires = formats.date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")
        profile = reverse("directory:organisation_detail", args=[organisation.slug])
    published = organisation.status == Organisation.Status.PUBLISHED
    context = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "url": absolute(site_url, path),
        "profile_url": absolute(site_url, profile) if published else "",
        "expires": expires,
    }
    return compose("update_link", context, [address], language, connection=connection)


def send_update_link(
    organisation: Organisation,
    address: str,
    *,
    language: str,
    user,
    site_url: str,
    campaign: Campaign | None = None,
    connection=None,
) -> Message:
    """Issue a new link for ``organisation`` and e-mail it to ``address``; the message
    records the sending or why it failed (a link that could not be sent is withdrawn)."""
    link, token = UpdateLink.objects.issue(organisation, created_by=user)
    message = Message(
        campaign=campaign,
        organisation=organisation,
        link=link,
        address=address,
        language=language,
        created_by=user,
    )
    email = _link_email(organisation, token, link, language, address, site_url, connection)
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        link.revoke()
        message.failure = str(error) or error.__class__.__name__
    else:
        message.sent_at = timezone.now()
    message.save()
    return message


def run_campaign(
    campaign: Campaign, site_url: str, report: Callable[..., None] | None = None
) -> None:
    """Send every organisation the campaign selects, with an address, its link.

    An organisation already sent one in this campaign is skipped: a campaign run again
    (its job retried) writes only to those not reached yet.
    """
    report = report or (lambda done, total, message="": None)
    reached = Message.objects.filter(campaign=campaign, sent_at__isnull=False)
    rows = (
        with_address(CampaignFilters.from_json(campaign.filters).organisations())
        .filter(address__isnull=False)
        .exclude(pk__in=reached.values("organisation"))
        .only("pk", "name", "acronym", "slug", "status")
        .order_by("name", "pk")
    )
    organisations = list(rows)
    total = len(organisations)
    report(0, total)
    sent = failed = 0
    # One SMTP connection for the whole campaign, opened by the first sending (a server
    # that refuses it fails each message, recorded, rather than the whole campaign).
    connection = get_connection()
    try:
        for done, organisation in enumerate(organisations, start=1):
            message = send_update_link(
                organisation,
                organisation.address,
                language=campaign.language,
                user=campaign.created_by,
                site_url=site_url,
                campaign=campaign,
                connection=connection,
            )
            if message.sent_at:
                sent += 1
            else:
                failed += 1
            if done % CAMPAIGN_STEP == 0:
                report(done, total)
    finally:
        connection.close()
    Campaign.objects.filter(pk=campaign.pk).update(
        sent=F("sent") + sent, failed=failed, finished_at=timezone.now()
    )
    campaign.refresh_from_db()
    report(total, total)
