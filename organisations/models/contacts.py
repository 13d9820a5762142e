"""How to reach an organisation: contact channels (phones, e-mails, web sites, social
links) and contact persons, private unless their consent is recorded."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.phones import E164_PATTERN
from organisations.models.offices import Office
from organisations.models.organisation import Organisation
from organisations.models.sources import Source
from organisations.validators import validate_e164


class ContactChannelQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class ContactChannel(models.Model):
    """A phone number, e-mail, web site or social link of the organisation.

    A value that fails validation but comes from a source is kept as written with
    ``to_verify`` set, rather than corrected by guess or dropped.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WEBSITE = "website", _("Web site")
        SOCIAL = "social", _("Social network")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=255)
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_("Facebook, Bamako office…")
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="channels",
    )
    is_public = models.BooleanField(_("public"), default=True)
    to_verify = models.BooleanField(
        _("to verify"), default=False, help_text=_("The value is kept as the source wrote it.")
    )
    verification_note = models.CharField(_("why to verify"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()
    objects = ContactChannelQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "pk"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value"], name="channel_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["phone", "email", "website", "social"]),
                name="channel_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="phone") | Q(to_verify=True) | Q(value__regex=E164_PATTERN),
                name="channel_phone_e164_unless_flagged",
            ),
        ]

    def __str__(self):
        return self.value

    def clean(self):
        if self.to_verify:
            return
        try:
            if self.kind == self.Kind.PHONE:
                validate_e164(self.value)
            elif self.kind == self.Kind.EMAIL:
                validate_email(self.value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from None

    @property
    def href(self) -> str:
        if self.kind == self.Kind.PHONE:
            return f"tel:{self.value}"
        if self.kind == self.Kind.EMAIL:
            return f"mailto:{self.value}"
        return web_address(self.value)


def web_address(value: str) -> str:
    """A web site as an absolute address ("www.amsr.org" -> "https://www.amsr.org"), or ""
    for a value that is not one."""
    if value.startswith(("http://", "https://")):
        return value
    return f"https://{value}" if "." in value and " " not in value else ""


class ContactPersonQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_publishable=True)


class ContactPerson(models.Model):
    """A person at the organisation. Private unless consent to publish is recorded."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_persons"
    )
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_e164])
    phone_other = models.CharField(
        _("other phone"), max_length=20, blank=True, validators=[validate_e164]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_publishable = models.BooleanField(
        _("may be published"),
        default=False,
        help_text=_("Only with the person's recorded consent."),
    )
    consent_given_by = models.CharField(_("consent given by"), max_length=255, blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    notes = models.TextField(_("notes (private)"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()
    objects = ContactPersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_publishable=False) | Q(consent_date__isnull=False),
                name="contact_person_published_only_with_consent",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.is_publishable and not (self.consent_date and self.consent_given_by):
            raise ValidationError(
                _("Record who gave consent and when before marking this person publishable.")
            )
