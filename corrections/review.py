"""Staff deciding a proposal: each part accepted or rejected with a comment; the accepted
parts are written onto the record through its history, guarded like an edit in the admin
(a record saved by someone else since the review page was opened is not written over)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from corrections.models import Proposal
from corrections.parts import BY_KEY, Writer, current_values
from organisations.forms import stale_edit_messages
from organisations.models import Organisation


class ReviewRefused(Exception):
    """Nothing was written; ``messages`` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class Decision:
    accepted: bool
    comment: str = ""


def decide(
    proposal: Proposal,
    decisions: dict[str, Decision],
    *,
    user,
    comment: str = "",
    seen_version: int | None = None,
    confirmed_conflicts: frozenset[str] = frozenset(),
) -> Organisation | None:
    """Record the decisions on every part of ``proposal`` and write the accepted ones.

    Returns the organisation written to (for a new organisation, the draft created), or
    None when nothing was accepted. ``seen_version`` is the record's version when the
    review page was shown; accepting a part whose value changed after the proposal was
    made needs its key in ``confirmed_conflicts``.
    """
    missing = [key for key in proposal.proposed if key not in decisions]
    if missing:
        raise ReviewRefused(
            [_("Accept or reject every part (missing: %(parts)s).") % {"parts": _labels(missing)}]
        )
    accepted = [key for key in proposal.proposed if decisions[key].accepted]
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != Proposal.Status.PENDING:
            raise ReviewRefused([_("This proposal has already been decided.")])
        organisation = _target(proposal, accepted, seen_version, confirmed_conflicts)
        if organisation is not None:
            _write(organisation, proposal, accepted, user)
        proposal.organisation = organisation or proposal.organisation
        proposal.status = Proposal.Status.DECIDED
        proposal.decisions = {
            key: {"accepted": decision.accepted, "comment": decision.comment}
            for key, decision in decisions.items()
            if key in proposal.proposed
        }
        proposal.comment = comment
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save()
    return organisation


def _labels(keys) -> str:
    return ", ".join(BY_KEY[key].label for key in keys)


def _target(proposal, accepted, seen_version, confirmed) -> Organisation | None:
    """The organisation to write to, locked; checks it may be written."""
    if not accepted:
        return None
    if proposal.is_new_organisation:
        if "name" not in accepted or not proposal.proposed.get("name"):
            raise ReviewRefused([_("A new organisation needs its name accepted.")])
        return _new_draft(proposal.proposed["name"])
    organisation = Organisation.objects.select_for_update().get(pk=proposal.organisation_id)
    if seen_version is not None and organisation.version != seen_version:
        raise ReviewRefused(stale_edit_messages(organisation, seen_version))
    current = current_values(organisation)
    unconfirmed = [
        key
        for key in accepted
        if current.get(key) != proposal.original.get(key) and key not in confirmed
    ]
    if unconfirmed:
        raise ReviewRefused(
            [
                _(
                    "The record changed after the proposal was made (%(parts)s): confirm "
                    "that the proposed value replaces the current one."
                )
                % {"parts": _labels(unconfirmed)}
            ]
        )
    return organisation


def _new_draft(name: str) -> Organisation:
    max_length = Organisation._meta.get_field("slug").max_length
    base = slugify(name)[: max_length - 8].strip("-") or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return Organisation(
        name=name,
        slug=slug,
        status=Organisation.Status.DRAFT,
        survey_status=Organisation.SurveyStatus.REGISTERED,
    )


def _write(organisation: Organisation, proposal: Proposal, accepted: list[str], user) -> None:
    writer = Writer(organisation, proposal, user)
    single = [key for key in accepted if not BY_KEY[key].is_list]
    writer.set_fields(single)
    if proposal.origin == Proposal.Origin.ORGANISATION:
        # The organisation's own information, confirmed by staff: a verification.
        organisation.verified_at = timezone.now()
        organisation.verified_by = Organisation.VerifiedBy.ORGANISATION
    try:
        writer.save_organisation()
        for key in accepted:
            if BY_KEY[key].is_list:
                writer.write_list(key)
    except ValidationError as error:
        raise ReviewRefused(_validation_messages(error)) from None
    except IntegrityError as error:
        raise ReviewRefused([str(error)]) from None


def _validation_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for name, errors in error.error_dict.items():
        label = BY_KEY[name].label if name in BY_KEY else name
        messages += [f"{label.capitalize()}: {message}" for e in errors for message in e.messages]
    return messages
