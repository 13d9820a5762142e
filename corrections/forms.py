"""The public forms: a visitor's correction, a new organisation, an organisation's own
update. Each turns what was typed into a proposal's values (corrections/parts.py) and
never writes to the record; only public values are shown and offered."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.phones import to_e164
from common.text import collation_key
from corrections.parts import (
    BY_KEY,
    CHANNELS,
    LINKS,
    LOOKUP,
    OFFICES,
    PARTS,
    PERSONS,
    PLAIN,
    by_name,
    current_values,
    list_changes,
)
from corrections.spam import SpamGuardForm
from organisations.models import ContactChannel, Organisation, Theme, Zone

MESSAGE_MAX_LENGTH = 5000
TEXT_MAX_LENGTH = 5000
# The largest whole number every supported database stores (PostgreSQL's integer).
NUMBER_MAX = 2**31 - 1
LINE_MAX_LENGTH = 255
LIST_MAX_LINES = 30
# The parts the "Add my organisation" form asks for; staff complete the rest.
NEW_ORGANISATION_PARTS = [
    "name",
    "acronym",
    "typology",
    "legal_form",
    "year_founded",
    "description",
    "zones",
    "themes",
    "seat_address",
    "phones",
    "emails",
    "websites",
    "social_links",
]
# Every part the organisation's own form shows (persons have their own formset).
SELF_UPDATE_PARTS = [part.key for part in PARTS if part.kind != PERSONS]
OTHER_PART = "other"
CONSENT_TEXT = _(
    "By ticking “This person agrees to be published”, you confirm that this person agreed "
    "to have their name, role, phone and e-mail published in the public directory, and "
    "knows they can ask the directory's staff to remove them at any time. The directory "
    "records this wording and the date you send the form."
)
# The paragraph of CONSENT_TEXT on the page, which each consent box refers to.
CONSENT_TEXT_ID = "consent-wording"


def record_formfield(key: str, current=None) -> forms.Field:
    """The form field of an organisation's own field or catalogue entry, as the model
    validates it (lengths, choices), within bounds every database keeps: a long text or a
    huge number is refused with a message, never cut nor left to fail when accepted."""
    model_field = Organisation._meta.get_field(key)
    bounds = {}
    if isinstance(model_field, models.TextField):
        # A text staff already wrote longer may be sent back unchanged.
        bounds["max_length"] = max(TEXT_MAX_LENGTH, len(current or ""))
    if key == "year_founded":
        bounds.update(min_value=1800, max_value=2100)
    elif isinstance(model_field, models.IntegerField):
        bounds["max_value"] = NUMBER_MAX
    return model_field.formfield(**bounds)


class SenderFields(forms.Form):
    message = forms.CharField(
        label=_("Anything else to tell the directory's staff"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
    )
    sender_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    sender_email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        help_text=_("Only the directory's staff see it, to ask you a question. Never published."),
        required=False,
        max_length=254,
    )

    def sender(self) -> dict:
        return {
            "message": self.cleaned_data["message"],
            "sender_name": self.cleaned_data["sender_name"],
            "sender_email": self.cleaned_data["sender_email"],
        }


class SuggestionForm(SpamGuardForm, SenderFields):
    """“Report an error or suggest a change” on a public profile."""

    part = forms.ChoiceField(label=_("Which part of the profile?"))
    value = forms.CharField(
        label=_("The right value"),
        help_text=_("As it should appear, if you know it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
    )

    field_order = ["part", "value", "message", "sender_name", "sender_email"]

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["message"].label = _("Explanation, or what is wrong")
        self.fields["part"].choices = [
            ("", _("Choose…")),
            *[(part.key, part.label.capitalize()) for part in PARTS],
            (OTHER_PART, _("Something else")),
        ]

    def clean(self):
        cleaned = super().clean()
        value, message = cleaned.get("value", ""), cleaned.get("message", "")
        if "value" in cleaned and "message" in cleaned and not (value or message):
            raise ValidationError(_("Write the right value or what is wrong."))
        part = BY_KEY.get(cleaned.get("part", ""))
        if part is not None and part.takes_text and value:
            try:
                cleaned["typed_value"] = record_formfield(part.key).clean(value)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned

    def proposal_fields(self) -> dict:
        """The proposal: the part's value when it is one a visitor can type, else the
        value and explanation as a message for staff."""
        data, key = self.cleaned_data, self.cleaned_data["part"]
        fields = {"part": key, **self.sender()}
        if "typed_value" in data:
            fields["proposed"] = {key: data["typed_value"]}
            fields["original"] = {key: current_values(self.organisation)[key]}
        else:
            texts = (data["value"], data["message"])
            fields["message"] = "\n\n".join(text for text in texts if text)
        fields["base_version"] = self.organisation.version
        return fields


def _lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, each once, in order."""
    seen = []
    for line in text.splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def _display_name(entry) -> str:
    return entry.display_name


def zone_groups(selected: list[int]) -> list[tuple[str, list[Zone]]]:
    """Countries, regions and cercles (and the zones already chosen, whatever their level),
    grouped by region: what a form of zones offers as checkboxes."""
    levels = [Zone.Level.COUNTRY, Zone.Level.REGION, Zone.Level.CERCLE]
    zones = list(Zone.objects.filter(Q(level__in=levels) | Q(pk__in=selected)))
    by_pk = {zone.pk: zone for zone in zones}
    groups: dict[int, list[Zone]] = {}
    for zone in zones:
        ids = [int(part) for part in zone.path.strip("/").split("/") if part.isdigit()]
        head = ids[1] if len(ids) > 1 else zone.pk
        groups.setdefault(head, []).append(zone)
    named = []
    for head, members in groups.items():
        head_zone = by_pk.get(head)
        members.sort(key=lambda zone: (zone.pk != head, collation_key(zone.display_name)))
        label = head_zone.display_name if head_zone else gettext("Other places")
        country = by_pk.get(int(head_zone.path.split("/")[0])) if head_zone else None
        if country is not None and country is not head_zone:
            label = f"{label} ({country.display_name})"
        named.append((label, members))
    return sorted(named, key=lambda group: collation_key(group[0]))


def theme_groups() -> list[tuple[str, list[Theme]]]:
    groups: dict[str, list[Theme]] = {}
    for theme in Theme.objects.select_related("group").order_by("group__position", "position"):
        label = theme.group.display_name if theme.group_id else gettext("Other themes")
        groups.setdefault(label, []).append(theme)
    return list(groups.items())


class RecordForm(SenderFields):
    """An organisation's public record, or the parts of a new one: what a proposal holds
    is only what differs from the record (or, for a new one, from an empty record)."""

    def __init__(self, *args, parts: list[str], organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = [BY_KEY[key] for key in parts]
        self.organisation = organisation
        self.current = current_values(organisation) if organisation else {}
        country = organisation.registration_country if organisation else None
        self.phone_region = country.iso_code if country else ""
        record_fields = {}
        for part in self.parts:
            if part.kind in (PLAIN, LOOKUP):
                record_fields[part.key] = record_formfield(part.key, self.current.get(part.key))
                if part.kind == LOOKUP:  # catalogue entries in the page's language
                    record_fields[part.key].label_from_instance = _display_name
            elif part.kind == LINKS:
                record_fields[part.key] = forms.TypedMultipleChoiceField(
                    label=part.label.capitalize(), coerce=int, required=False
                )
            else:
                record_fields[part.key] = forms.CharField(
                    label=part.label.capitalize(),
                    help_text=_("One per line."),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                    max_length=LIST_MAX_LINES * (LINE_MAX_LENGTH + 2),
                )
            if part.key in self.current:
                record_fields[part.key].initial = self._initial(part, self.current[part.key])
        self.fields = {**record_fields, **self.fields}
        self.choice_groups = {}
        if "zones" in self.fields:
            groups = zone_groups(self.current.get("zones", []))
            self.choice_groups["zones"] = groups
            self.fields["zones"].choices = [(z.pk, z.name) for _l, zs in groups for z in zs]
        if "themes" in self.fields:
            groups = theme_groups()
            self.choice_groups["themes"] = groups
            self.fields["themes"].choices = [(t.pk, t.name) for _l, ts in groups for t in ts]

    @staticmethod
    def _initial(part, value):
        if part.kind in (CHANNELS, OFFICES):
            return "\n".join(value)
        return value

    def grouped_choices(self, key: str) -> list[tuple[str, list[tuple[object, bool]], bool]]:
        """Each group's entries with whether they are ticked (as sent, or as recorded), and
        whether any of the group is (its list is then shown open)."""
        bound = self[key]
        ticked = {str(value) for value in (bound.value() or [])}
        groups = []
        for label, entries in self.choice_groups[key]:
            marked = [(entry, str(entry.pk) in ticked) for entry in entries]
            groups.append((label, marked, any(mark for _entry, mark in marked)))
        return groups

    def clean(self):
        cleaned = super().clean()
        for part in self.parts:
            if part.kind in (CHANNELS, OFFICES) and part.key in cleaned:
                try:
                    cleaned[part.key] = self._clean_lines(part, cleaned[part.key])
                except ValidationError as error:
                    self.add_error(part.key, error)
        return cleaned

    def _clean_lines(self, part, text: str) -> list[str]:
        lines, errors, values = _lines(text), [], []
        if len(lines) > LIST_MAX_LINES:
            raise ValidationError(_("At most %(count)d lines.") % {"count": LIST_MAX_LINES})
        for line in lines:
            value = line
            if len(line) > LINE_MAX_LENGTH:
                errors.append(
                    _("“%(value)s…” is longer than %(max)d characters.")
                    % {"value": line[:40], "max": LINE_MAX_LENGTH}
                )
            elif part.channel == ContactChannel.Kind.PHONE:
                value = to_e164(line, self.phone_region)
                if not value:
                    errors.append(
                        _(
                            "“%(value)s” is not a phone number: write it with its country "
                            "code, e.g. +223 20 22 33 44."
                        )
                        % {"value": line}
                    )
            elif part.channel == ContactChannel.Kind.EMAIL:
                try:
                    validate_email(line)
                except ValidationError:
                    errors.append(_("“%(value)s” is not an e-mail address.") % {"value": line})
            if value not in values:
                values.append(value)
        if errors:
            raise ValidationError(errors)
        return values

    def values(self) -> dict:
        """Every part's value as typed, as a proposal writes it."""
        values = {}
        for part in self.parts:
            value = self.cleaned_data[part.key]
            if part.kind == LOOKUP:
                value = value.pk if value is not None else None
            elif part.kind == LINKS:
                value = sorted(value)
            values[part.key] = value
        return values

    def changed_values(self) -> dict:
        """The values that differ from the record (a new one: from an empty record)."""
        changed = {}
        for key, value in self.values().items():
            if self.organisation is not None:
                before = self.current.get(key)
            elif BY_KEY[key].is_list:
                before = []
            elif BY_KEY[key].kind == LOOKUP:
                before = None
            else:
                before = Organisation._meta.get_field(key).get_default()
            if BY_KEY[key].is_list:
                if any(list_changes(before, value)):
                    changed[key] = value
            elif value != before and not (before in ("", None) and value in ("", None)):
                changed[key] = value
        return changed


class NewOrganisationForm(SpamGuardForm, RecordForm):
    """“Add my organisation”: a proposal for a new record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parts=NEW_ORGANISATION_PARTS, **kwargs)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=255)
    role = forms.CharField(label=_("Role"), required=False, max_length=255)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    consent = forms.BooleanField(
        label=_("This person agrees to be published"),
        label_suffix="",  # after its box: no colon
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": CONSENT_TEXT_ID}),
    )

    def __init__(self, *args, phone_region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_region = phone_region

    def clean_phone(self):
        typed = self.cleaned_data["phone"].strip()
        if not typed:
            return ""
        number = to_e164(typed, self.phone_region)
        if not number:
            raise ValidationError(
                _(
                    "“%(value)s” is not a phone number: write it with its country code, "
                    "e.g. +223 20 22 33 44."
                )
                % {"value": typed}
            )
        return number

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(name) for name in ("role", "phone", "email", "consent"))
        if filled and not cleaned.get("name"):
            self.add_error("name", gettext("Give the person's name, or empty the line."))
        return cleaned

    def person(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return {
            "name": data["name"],
            "role": data["role"],
            "phone": data["phone"],
            "email": data["email"],
            "consent": bool(data["consent"]),
        }


PersonFormSet = forms.formset_factory(
    PersonForm, extra=2, max_num=20, absolute_max=30, validate_max=True
)


def persons_formset(data=None, organisation: Organisation | None = None, current=None):
    country = organisation.registration_country if organisation else None
    return PersonFormSet(
        data,
        prefix="person",
        initial=(current or {}).get("contact_persons", []),
        form_kwargs={"phone_region": country.iso_code if country else ""},
    )


def persons_value(formset) -> list[dict]:
    persons = [form.person() for form in formset.forms]
    return sorted((p for p in persons if p), key=by_name)
