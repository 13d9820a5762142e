"""The organisation, its other names and identifiers, and its links to zones, themes and
partners."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.text import build_search_text
from organisations.models.catalogues import Partner, Theme, Typology
from organisations.models.sources import Source
from organisations.models.zones import Zone


class OrganisationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Organisation.Status.PUBLISHED)

    def in_zone(self, zone: Zone):
        """Organisations working in ``zone`` or anywhere below it."""
        links = OrganisationZone.objects.filter(
            organisation=OuterRef("pk"), zone__path__startswith=zone.path
        )
        return self.filter(Exists(links))

    def not_verified_since(self, cutoff):
        """Organisations never verified, or last verified before ``cutoff``."""
        return self.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff))


class Organisation(models.Model):
    class LegalForm(models.TextChoices):
        FORMAL = "formal", _("Formal (legally registered)")
        INFORMAL = "informal", _("Informal")
        UNKNOWN = "unknown", _("Unknown")

    class RegistrationKind(models.TextChoices):
        DECLARED = "declared", _("Declared (récépissé)")
        APPROVED = "approved", _("Approved (agréée)")
        PUBLIC_UTILITY = "public_utility", _("Recognised as of public utility (RUP)")
        FRAMEWORK_AGREEMENT = "framework_agreement", _("NGO framework agreement (accord-cadre)")
        DE_FACTO = "de_facto", _("De facto association (not declared)")
        UNKNOWN = "unknown", _("Unknown")

    class Scope(models.TextChoices):
        VILLAGE = "village", _("Village")
        COMMUNE = "commune", _("Commune")
        INTERCOMMUNAL = "intercommunal", _("Intercommunal")
        CERCLE = "cercle", _("Cercle")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        INTERNATIONAL = "international", _("International")
        UNKNOWN = "unknown", _("Unknown")

    BudgetBand = Typology.BudgetBand

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class VerifiedBy(models.TextChoices):
        STAFF = "staff", _("the directory's staff")
        ORGANISATION = "organisation", _("the organisation itself")
        IMPORT = "import", _("a survey import")

    class SurveyStatus(models.TextChoices):
        INTERVIEWED = "interviewed", _("Interviewed during the mapping")
        MENTIONED = "mentioned", _("Only mentioned in a source")
        REGISTERED = "registered", _("Added by staff or an import")

    class WebsiteStatus(models.TextChoices):
        UNKNOWN = "", _("Not stated")
        NONE = "none", _("No web site")
        NOT_FUNCTIONAL = "not_functional", _("Web site not working")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    typology = models.ForeignKey(
        Typology,
        verbose_name=_("typology"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    legal_form = models.CharField(
        _("legal form"), max_length=10, choices=LegalForm.choices, default=LegalForm.UNKNOWN
    )
    registration_kind = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationKind.choices,
        default=RegistrationKind.UNKNOWN,
    )
    registration_law = models.CharField(
        _("registered under the law"),
        max_length=120,
        blank=True,
        help_text=_("Loi 04-038 AN RM (Mali), loi 1901 (France)…"),
    )
    registration_country = models.ForeignKey(
        Zone,
        verbose_name=_("country of registration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Zone.Level.COUNTRY},
        related_name="registered_organisations",
    )
    registration_reference = models.CharField(
        _("registration reference"),
        max_length=120,
        blank=True,
        help_text=_("Number and date of the récépissé or agrément."),
    )
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    scope = models.CharField(
        _("scope of intervention"), max_length=15, choices=Scope.choices, default=Scope.UNKNOWN
    )
    scope_detail = models.CharField(
        _("scope as stated"),
        max_length=500,
        blank=True,
        help_text=_("The source's own words, e.g. « National : Bamako et périphéries »."),
    )
    description = models.TextField(_("description"), blank=True)
    budget_band = models.CharField(
        _("annual budget"), max_length=10, choices=BudgetBand.choices, default=BudgetBand.UNKNOWN
    )
    members_individuals = models.PositiveIntegerField(
        _("individual members"), null=True, blank=True
    )
    members_organisations = models.PositiveIntegerField(
        _("member organisations"), null=True, blank=True
    )
    members_countries = models.PositiveIntegerField(
        _("countries represented"), null=True, blank=True
    )
    members_note = models.CharField(
        _("members as stated"),
        max_length=255,
        blank=True,
        help_text=_("The source's words, e.g. « 34 associations maliennes légalement reconnues »."),
    )
    website_status = models.CharField(
        _("web site status"),
        max_length=15,
        choices=WebsiteStatus.choices,
        default=WebsiteStatus.UNKNOWN,
        blank=True,
        help_text=_("Set when the source says there is no working web site."),
    )
    themes = models.ManyToManyField(
        Theme, through="OrganisationTheme", verbose_name=_("themes"), related_name="organisations"
    )
    zones = models.ManyToManyField(
        Zone,
        through="OrganisationZone",
        verbose_name=_("intervention zones"),
        related_name="organisations",
    )
    partners = models.ManyToManyField(
        Partner, through="Partnership", verbose_name=_("partners"), related_name="organisations"
    )
    status = models.CharField(
        _("publication status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    survey_status = models.CharField(
        _("how we know it"),
        max_length=12,
        choices=SurveyStatus.choices,
        default=SurveyStatus.REGISTERED,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source of the record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    staff_notes = models.TextField(_("staff notes (private)"), blank=True)
    # When the public information was last confirmed true, and by whom (verification.py).
    verified_at = models.DateTimeField(_("information verified on"), null=True, blank=True)
    verified_by = models.CharField(
        _("verified by"), max_length=12, choices=VerifiedBy.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True, db_index=True)
    # Bumped on every save; an edit made from a stale version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Accent- and case-free text of names, acronym, aliases, description and zones.
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [
            ("view_private", _("Can see private contacts, needs and notes")),
        ]
        indexes = [
            models.Index(fields=["status", "name"], name="org_status_name_idx"),
            models.Index(fields=["status", "-updated_at"], name="org_status_updated_idx"),
            models.Index(fields=["status", "verified_at"], name="org_status_verified_idx"),
            models.Index(fields=["legal_form"], name="org_legal_form_idx"),
            models.Index(fields=["registration_kind"], name="org_registration_kind_idx"),
            models.Index(fields=["scope"], name="org_scope_idx"),
            models.Index(fields=["budget_band"], name="org_budget_band_idx"),
            models.Index(fields=["acronym"], name="org_acronym_idx"),
            # The lists' name order (directory.filters.BY_NAME), every status: the index
            # reads it to build, and to place an organisation added or renamed since.
            models.Index(Substr("search_text", 1, 100), F("id"), name="org_name_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="org_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=["formal", "informal", "unknown"]),
                name="org_legal_form_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    registration_kind__in=[
                        "declared",
                        "approved",
                        "public_utility",
                        "framework_agreement",
                        "de_facto",
                        "unknown",
                    ]
                ),
                name="org_registration_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(legal_form="informal")
                | Q(registration_kind__in=["de_facto", "unknown"]),
                name="org_informal_is_not_registered",
            ),
            models.CheckConstraint(
                condition=Q(
                    scope__in=[
                        "village",
                        "commune",
                        "intercommunal",
                        "cercle",
                        "regional",
                        "national",
                        "international",
                        "unknown",
                    ]
                ),
                name="org_scope_valid",
            ),
            models.CheckConstraint(
                condition=Q(budget_band__in=["under_5k", "5k_100k", "over_100k", "unknown"]),
                name="org_budget_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(year_founded__isnull=True)
                | Q(year_founded__gte=1800, year_founded__lte=2100),
                name="org_year_founded_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("directory:organisation_detail", args=[self.slug])

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (self.version or 0) + 1
        # A browser sends a text area's lines ending in CRLF: stored as typed elsewhere
        # (LF), so saving a form as opened changes no text (nor records a change of it).
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.TextField) and isinstance(value, str):
                setattr(self, field.attname, value.replace("\r\n", "\n"))
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        aliases = self.aliases.values_list("name", flat=True) if self.pk else []
        zone_names = self.zones.values_list("name", flat=True) if self.pk else []
        return build_search_text(self.name, self.acronym, self.description, aliases, zone_names)

    def refresh_search_text(self) -> None:
        """Recompute the search column after aliases or zones changed."""
        text = self.build_search_text()
        if text != self.search_text:
            Organisation.objects.filter(pk=self.pk).update(search_text=text)
            self.search_text = text


class OrganisationAlias(models.Model):
    """Another spelling of the organisation's name, as a source wrote it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("other name"), max_length=255)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="alias_unique_per_org")
        ]

    def __str__(self):
        return self.name


class OrganisationIdentifier(models.Model):
    """A stable identifier from another system (a survey's _uuid, a registry number)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="identifiers"
    )
    scheme = models.CharField(_("scheme"), max_length=60, help_text=_("kobo-uuid, for example."))
    value = models.CharField(_("identifier"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique")
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"


class OrganisationZone(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="zone_links"
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="organisation_links"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["zone__path"]
        verbose_name = _("intervention zone")
        verbose_name_plural = _("intervention zones")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "zone"], name="org_zone_unique")
        ]

    def __str__(self):
        return str(self.zone)


class OrganisationTheme(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="theme_links"
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="organisation_links"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__position", "theme__name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "theme"], name="org_theme_unique")
        ]

    def __str__(self):
        return str(self.theme)


class Partnership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="partnerships"
    )
    description = models.CharField(_("what the partner supports"), max_length=500, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["partner__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "partner"], name="partnership_unique")
        ]

    def __str__(self):
        return str(self.partner)
