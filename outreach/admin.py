"""Staff pages of outreach: campaigns, messages, and sending one organisation its link
(a button on the organisation's page, added through crm/admin.py's hook).

Editors send and revoke (outreach.add_campaign, outreach.add_message); Viewers see.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from corrections.models import UpdateLink
from crm.admin import OrganisationAdmin
from jobs.services import start_job
from organisations.models import Organisation
from outreach.forms import CampaignForm, SendLinkForm
from outreach.models import Campaign, Message
from outreach.recipients import preview
from outreach.sending import run_campaign, send_update_link
from outreach.tasks import CAMPAIGN_JOB

SEND_CAMPAIGN = "outreach.add_campaign"
SEND_MESSAGE = "outreach.add_message"


def site_url(request: HttpRequest) -> str:
    """The address links in e-mails start with: SITE_URL, else the one the staff used."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what was sent: never edited nor deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _revoked_message(count: int) -> str:
    return ngettext(
        "%(count)d update link withdrawn.", "%(count)d update links withdrawn.", count
    ) % {"count": count}


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "created_at",
        "created_by",
        "language",
        "selected",
        "without_address",
        "sent",
        "failed",
        "finished_at",
        "links_revoked_at",
    ]
    list_select_related = ["created_by"]
    readonly_fields = [*list_display, "filters", "message_list"]
    fields = readonly_fields
    actions = ["revoke_links"]

    def has_add_permission(self, request):
        return request.user.has_perm(SEND_CAMPAIGN)

    def has_send_permission(self, request):
        return request.user.has_perm(SEND_CAMPAIGN)

    @admin.display(description=gettext_lazy("messages"))
    def message_list(self, campaign: Campaign) -> str:
        url = (
            reverse("admin:outreach_message_changelist")
            + "?"
            + urlencode({"campaign__id__exact": campaign.pk})
        )
        return format_html('<a href="{}">{}</a>', url, _("See this campaign's messages"))

    @admin.action(
        description=gettext_lazy("Withdraw the update links of the selected campaigns"),
        permissions=["send"],
    )
    def revoke_links(self, request, queryset):
        revoked = sum(campaign.revoke_links() for campaign in queryset)
        self.message_user(request, _revoked_message(revoked), messages.SUCCESS)

    def add_view(self, request, form_url="", extra_context=None):
        """Choose the organisations, see how many and who cannot be reached, then send."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CampaignForm(request.POST or None)
        found = None
        if request.method == "POST" and form.is_valid():
            filters = form.campaign_filters()
            found = preview(filters)
            if "_send" in request.POST:
                return self._start(request, form, filters, found)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New campaign of update links"),
            "form": form,
            "preview": found,
        }
        return TemplateResponse(request, "admin/outreach/campaign_form.html", context)

    def _start(self, request, form, filters, found) -> HttpResponse:
        if not found.reachable:
            messages.error(request, _("No selected organisation has an e-mail address."))
            return HttpResponseRedirect(request.path)
        campaign = Campaign.objects.create(
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
            filters=filters.as_json(),
            created_by=request.user,
            selected=found.selected,
            without_address=found.without_address,
        )
        if found.reachable > settings.OUTREACH_BACKGROUND_MESSAGES:
            start_job(
                request.user,
                CAMPAIGN_JOB,
                _("Campaign %(name)s") % {"name": campaign.name},
                {"campaign": campaign.pk, "site_url": site_url(request)},
            )
            messages.success(
                request,
                _("The campaign is sent in the background; its progress is on this page."),
            )
            return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))
        run_campaign(campaign, site_url(request))
        messages.success(request, campaign.summary())
        return HttpResponseRedirect(reverse("admin:outreach_campaign_change", args=[campaign.pk]))


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "address", "campaign", "language", "sent_at", "link_state"]
    list_filter = ["campaign", "language", "sent_at"]
    list_select_related = ["organisation", "campaign", "link"]
    search_fields = ["organisation__name", "organisation__acronym", "address"]
    readonly_fields = [*list_display, "created_by", "failure"]
    fields = readonly_fields
    actions = ["revoke_links"]

    def has_add_permission(self, request):
        return False  # sent from the organisation's page or a campaign

    def has_send_permission(self, request):
        return request.user.has_perm(SEND_MESSAGE)

    @admin.display(description=gettext_lazy("link"))
    def link_state(self, message: Message) -> str:
        return link_state(message.link, message)

    @admin.action(
        description=gettext_lazy("Withdraw the update links of the selected messages"),
        permissions=["send"],
    )
    def revoke_links(self, request, queryset):
        revoked = (
            UpdateLink.objects.usable()
            .filter(messages__in=queryset.values("pk"))
            .update(revoked_at=timezone.now())
        )
        self.message_user(request, _revoked_message(revoked), messages.SUCCESS)


def link_state(link: UpdateLink | None, message: Message) -> str:
    if message.failure:
        return _("not sent: %(failure)s") % {"failure": message.failure}
    if link is None:
        return "—"
    if link.revoked_at:
        return _("withdrawn on %(date)s") % {"date": _day(link.revoked_at)}
    if link.expires_at <= timezone.now():
        return _("expired on %(date)s") % {"date": _day(link.expires_at)}
    usable = _("usable until %(date)s") % {"date": _day(link.expires_at)}
    if link.last_used_at:
        return _("%(state)s, opened on %(date)s") % {
            "state": usable,
            "date": _day(link.last_used_at),
        }
    return usable


def _day(moment) -> str:
    """The day in the staff member's language ("5 janvier 2026"), as the admin writes dates."""
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


# The organisation's page ----------------------------------------------------------------


def send_link_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Send one organisation its update link, and the links it was sent before."""
    if not request.user.has_perm("outreach.view_message"):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=object_id)
    may_send = request.user.has_perm(SEND_MESSAGE)
    form = SendLinkForm(organisation, request.user, request.POST or None)
    if request.method == "POST":
        if not may_send:
            raise PermissionDenied
        if form.is_valid():
            message = send_update_link(
                organisation,
                form.cleaned_data["address"],
                language=form.cleaned_data["language"],
                user=request.user,
                site_url=site_url(request),
            )
            if message.sent_at:
                messages.success(
                    request,
                    _("The update link was sent to %(address)s.") % {"address": message.address},
                )
            else:
                messages.error(
                    request,
                    _("The e-mail could not be sent (%(failure)s); the link was withdrawn.")
                    % {"failure": message.failure},
                )
            return HttpResponseRedirect(request.path)
    sent = list(
        organisation.outreach_messages.select_related("link", "campaign", "created_by")[:50]
    )
    for message in sent:
        message.state = link_state(message.link, message)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Organisation._meta,
        "original": organisation,
        "title": _("Send %(name)s its update link") % {"name": organisation.name},
        "form": form,
        "may_send": may_send,
        "sent": sent,
    }
    return TemplateResponse(request, "admin/outreach/send_link.html", context)


def _organisation_urls(model_admin) -> list:
    def view(request, object_id):
        return send_link_view(model_admin, request, object_id)

    return [
        path(
            "<int:object_id>/send-link/",
            model_admin.admin_site.admin_view(view),
            name="organisations_organisation_send_link",
        )
    ]


def _organisation_buttons(request: HttpRequest, organisation_id: int) -> list:
    if not request.user.has_perm("outreach.view_message"):
        return []
    url = reverse("admin:organisations_organisation_send_link", args=[organisation_id])
    return [(_("Update link…"), url)]


OrganisationAdmin.extra_urls.append(_organisation_urls)
OrganisationAdmin.extra_buttons.append(_organisation_buttons)
