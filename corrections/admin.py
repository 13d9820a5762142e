"""The staff's side: the review queue of proposals (Viewers see it, Editors decide) and the
update links issued to organisations (read-only, revocable)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.numbers import parse_id
from common.text import fold
from corrections.models import Proposal, UpdateLink
from corrections.parts import BY_KEY, current_values, differences
from corrections.review import Decision, ReviewRefused, decide
from organisations.models import Organisation
from organisations.visibility import sees_private

COMMENT_MAX_LENGTH = 5000
SIMILAR_LIMIT = 10


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "origin", "subject", "parts", "status", "decided_by"]
    list_display_links = ["number"]
    list_filter = ["status", "origin", "is_new_organisation"]
    list_select_related = ["organisation", "decided_by"]
    search_fields = ["organisation__name", "organisation__acronym", "message"]
    # Pending ("pending" sorts after "decided") first, the oldest waiting first.
    ordering = ["-status", "created_at"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # proposals come from the public and the organisations

    def has_delete_permission(self, request, obj=None):
        # A decided proposal is the trail of what the record became and why: kept.
        if obj is not None and obj.status == Proposal.Status.DECIDED:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """Deleting several at once refuses, with the reason, when one is decided."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(proposal.status == Proposal.Status.DECIDED for proposal in objs):
            perms_needed.add(gettext("decided proposals (kept as the trail of the changes)"))
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("number"), ordering="pk")
    def number(self, proposal):
        return f"#{proposal.pk}"

    @admin.display(description=_("about"))
    def subject(self, proposal):
        if proposal.is_new_organisation and proposal.status == Proposal.Status.PENDING:
            return format_html("{} <em>({})</em>", proposal.subject, gettext("new organisation"))
        return proposal.subject

    @admin.display(description=_("parts"))
    def parts(self, proposal):
        names = [BY_KEY[key].label for key in proposal.proposed if key in BY_KEY]
        if proposal.message:
            names.append(gettext("message"))
        return ", ".join(names)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.review(request, object_id)

    def review(self, request, object_id):
        """The proposal part by part against the record; Editors accept or reject each."""
        proposal = get_object_or_404(
            Proposal.objects.select_related("organisation", "update_link", "decided_by"),
            pk=parse_id(object_id),
        )
        if not self.has_view_or_change_permission(request, proposal):
            raise PermissionDenied
        pending = proposal.status == Proposal.Status.PENDING
        can_decide = pending and self.has_change_permission(request, proposal)
        posted = request.POST if request.method == "POST" else {}
        errors = []
        if posted:
            if not can_decide:
                raise PermissionDenied
            try:
                organisation = decide(proposal, user=request.user, **self._read(posted, proposal))
            except ReviewRefused as refusal:
                errors = refusal.messages
            else:
                self.message_user(request, self._done_message(proposal, organisation))
                return redirect("admin:corrections_proposal_changelist")
        existing = None if proposal.is_new_organisation else proposal.organisation
        # A decided proposal is shown as it was decided, a new organisation against nothing.
        current = current_values(existing) if existing and pending else None
        rows = [
            {
                "difference": difference,
                "decision": self._shown_decision(proposal, posted, difference.key),
                "comment": posted.get(f"comment-{difference.key}")
                or proposal.decisions.get(difference.key, {}).get("comment", ""),
                "confirmed": posted.get(f"confirm-{difference.key}") == "1",
            }
            for difference in differences(proposal, current)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": str(proposal),
            "opts": self.model._meta,
            "proposal": proposal,
            "rows": rows,
            "can_decide": can_decide,
            "errors": errors,
            "seen_version": existing.version if existing else "",
            "sees_private": sees_private(request.user),
            "comment": posted.get("comment", proposal.comment),
            "part_label": self._part_label(proposal.part),
            "similar": self._similar(proposal) if pending else [],
            "conflicts": any(row["difference"].conflict for row in rows),
        }
        return TemplateResponse(request, "admin/corrections/proposal/review.html", context)

    @staticmethod
    def _similar(proposal) -> list[Organisation]:
        """For a new organisation: existing records whose names hold the proposed name
        (accents and case aside) or with the same acronym, to avoid a duplicate."""
        if not proposal.is_new_organisation:
            return []
        name, acronym = fold(proposal.proposed.get("name", "")), proposal.proposed.get("acronym")
        matches = Q(search_text__contains=name) if name else Q(pk__in=[])
        if acronym:
            matches |= Q(acronym__iexact=acronym)
        return list(Organisation.objects.filter(matches)[:SIMILAR_LIMIT])

    @staticmethod
    def _part_label(key: str) -> str:
        if key in BY_KEY:
            return BY_KEY[key].label
        return gettext("Something else") if key else ""

    @staticmethod
    def _shown_decision(proposal, posted, key) -> str:
        if posted:
            return posted.get(f"decision-{key}", "")
        stored = proposal.decisions.get(key)
        if stored is None:
            return ""
        return "accept" if stored["accepted"] else "reject"

    @staticmethod
    def _read(posted, proposal) -> dict:
        comments = [value for name, value in posted.items() if name.startswith("comment")]
        if any(len(comment) > COMMENT_MAX_LENGTH for comment in comments):
            too_long = gettext("A comment is longer than %(max)d characters.")
            raise ReviewRefused([too_long % {"max": COMMENT_MAX_LENGTH}])
        decisions = {
            key: Decision(
                accepted=posted.get(f"decision-{key}") == "accept",
                comment=posted.get(f"comment-{key}", "").strip(),
            )
            for key in proposal.proposed
            if posted.get(f"decision-{key}") in ("accept", "reject")
        }
        return {
            "decisions": decisions,
            "comment": posted.get("comment", "").strip(),
            "seen_version": parse_id(posted.get("seen_version", "")),
            "confirmed_conflicts": frozenset(
                key for key in proposal.proposed if posted.get(f"confirm-{key}") == "1"
            ),
        }

    @staticmethod
    def _done_message(proposal, organisation) -> str:
        accepted = sum(1 for decision in proposal.decisions.values() if decision["accepted"])
        if organisation is None:
            return gettext("%(proposal)s is closed: nothing was changed.") % {"proposal": proposal}
        return ngettext(
            "%(proposal)s: %(count)d part accepted and written to %(organisation)s.",
            "%(proposal)s: %(count)d parts accepted and written to %(organisation)s.",
            accepted,
        ) % {"proposal": proposal, "count": accepted, "organisation": organisation}


class LinkStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("usable", _("usable")), ("expired", _("expired")), ("revoked", _("withdrawn"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "usable":
            return queryset.usable()
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(~Q(revoked_at=None))
        return queryset


@admin.register(UpdateLink)
class UpdateLinkAdmin(admin.ModelAdmin):
    """Read-mostly: links are issued by sending them; staff may only revoke one."""

    list_display = [
        "organisation",
        "created_at",
        "created_by",
        "expires_at",
        "state",
        "last_used_at",
    ]
    list_filter = [LinkStateFilter]
    list_select_related = ["organisation", "created_by"]
    search_fields = ["organisation__name", "organisation__acronym"]
    fields = [
        "organisation",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state(self, link):
        if link.revoked_at is not None:
            return gettext("withdrawn")
        if link.expires_at <= timezone.now():
            return gettext("expired")
        return gettext("usable")

    @admin.action(description=_("Withdraw the selected links"), permissions=["change"])
    def revoke(self, request, queryset):
        links = list(queryset.filter(revoked_at__isnull=True))
        for link in links:
            link.revoke()
        self.message_user(
            request,
            ngettext("%(count)d link withdrawn.", "%(count)d links withdrawn.", len(links))
            % {"count": len(links)},
            messages.SUCCESS,
        )
