"""Public pages of corrections and updates: a visitor's correction, a new organisation, and
what an organisation's personal update link opens. Each makes a proposal for staff; none
writes to the record (only "our information is still correct" records a verification)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from corrections.forms import (
    CONSENT_TEXT,
    CONSENT_TEXT_ID,
    SELF_UPDATE_PARTS,
    NewOrganisationForm,
    RecordForm,
    SuggestionForm,
    persons_formset,
    persons_value,
)
from corrections.models import LinkRefused, Proposal, UpdateLink
from corrections.parts import list_changes
from corrections.spam import count_proposal, over_rate_limit
from organisations.models import Organisation
from organisations.verification import record_verification

# Gone for good (expired, revoked, its organisation archived) versus never existed.
REFUSAL_STATUS = {
    LinkRefused.INVALID: 404,
    LinkRefused.EXPIRED: 410,
    LinkRefused.REVOKED: 410,
    LinkRefused.ARCHIVED: 410,
}


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "corrections/too_many.html", status=429)


@never_cache
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    """“Report an error or suggest a change” on a published organisation's profile."""
    organisation = get_object_or_404(Organisation.objects.published(), slug=slug)
    if request.method == "POST":
        if over_rate_limit(request):
            return _too_many(request)
        form = SuggestionForm(request.POST, organisation=organisation)
        if form.is_valid():
            Proposal.objects.create(
                organisation=organisation,
                origin=Proposal.Origin.PUBLIC,
                **form.proposal_fields(),
            )
            count_proposal(request)
            return redirect("corrections:thanks")
    else:
        form = SuggestionForm(organisation=organisation)
    return render(
        request,
        "corrections/suggest.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@never_cache
def add_organisation(request: HttpRequest) -> HttpResponse:
    """“Add my organisation”: a proposal for a new record."""
    if request.method == "POST":
        if over_rate_limit(request):
            return _too_many(request)
        form = NewOrganisationForm(request.POST)
        if form.is_valid():
            Proposal.objects.create(
                is_new_organisation=True,
                origin=Proposal.Origin.PUBLIC,
                proposed=form.changed_values(),
                **form.sender(),
            )
            count_proposal(request)
            return redirect("corrections:thanks")
    else:
        form = NewOrganisationForm()
    return render(
        request,
        "corrections/add_organisation.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def thanks(request: HttpRequest) -> HttpResponse:
    """Shows nothing that was sent: neither the values nor the e-mail."""
    return render(request, "corrections/thanks.html")


def _refused(request: HttpRequest, refusal: LinkRefused) -> HttpResponse:
    return render(
        request,
        "corrections/link_refused.html",
        {"reason": refusal.reason, "link": refusal.link},
        status=REFUSAL_STATUS[refusal.reason],
    )


@never_cache
def self_update(request: HttpRequest, token: str) -> HttpResponse:
    """The organisation's own page behind its personal link: its public record as a form.
    Sending it makes a proposal; the link alone says which organisation (nothing sent
    names another)."""
    try:
        link = UpdateLink.objects.resolve(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    UpdateLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    organisation = link.organisation
    data = request.POST if request.method == "POST" else None
    form = RecordForm(data, parts=SELF_UPDATE_PARTS, organisation=organisation)
    persons = persons_formset(data, organisation, form.current)
    nothing_changed = False
    if data is not None and form.is_valid() and persons.is_valid():
        proposed = form.changed_values()
        current_persons = form.current["contact_persons"]
        if any(list_changes(current_persons, persons_value(persons))):
            proposed["contact_persons"] = persons_value(persons)
        sender = form.sender()
        if proposed or sender["message"]:
            consents = any(person["consent"] for person in proposed.get("contact_persons", []))
            Proposal.objects.create(
                organisation=organisation,
                origin=Proposal.Origin.ORGANISATION,
                update_link=link,
                proposed=proposed,
                original={key: form.current[key] for key in proposed},
                base_version=organisation.version,
                consent_text=str(CONSENT_TEXT) if consents else "",
                **sender,
            )
            return redirect("corrections:thanks")
        nothing_changed = True
    return render(
        request,
        "corrections/self_update.html",
        {
            "link": link,
            "token": token,
            "organisation": organisation,
            "form": form,
            "persons": persons,
            "consent_text": CONSENT_TEXT,
            "consent_text_id": CONSENT_TEXT_ID,
            "nothing_changed": nothing_changed,
        },
        status=400 if data is not None else 200,
    )


@never_cache
@require_POST
def still_correct(request: HttpRequest, token: str) -> HttpResponse:
    """“Our information is still correct”: a verification by the organisation itself."""
    try:
        link = UpdateLink.objects.resolve(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    organisation = link.organisation
    record_verification(
        organisation,
        Organisation.VerifiedBy.ORGANISATION,
        reason=_("Confirmed by the organisation (update link #%(number)d)") % {"number": link.pk},
    )
    UpdateLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return render(
        request, "corrections/verified.html", {"organisation": organisation, "token": token}
    )
