"""Organisations and the catalogues they are described with.

Places (Zone), families (Typology), themes, partners and sources live here because
every other app refers to them; networks and needs have apps of their own.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.phones import E164_PATTERN
from common.text import build_search_text, fold
from organisations.validators import validate_e164


class BilingualNameMixin(models.Model):
    """Catalogue entries carry their French name and an optional English one."""

    name = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def __str__(self):
        return self.name


class Source(models.Model):
    """Where a fact comes from: a table of a report, a survey import, a staff edit."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        SURVEY = "survey", _("Survey import")
        STAFF = "staff", _("Staff entry")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    document = models.CharField(
        _("document"), max_length=255, help_text=_("Synthèse nationale Mali 2022, for example.")
    )
    section = models.CharField(
        _("section"), max_length=120, blank=True, help_text=_("Tableau 13, for example.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.URLField(_("web address"), blank=True)

    class Meta:
        ordering = ["document", "section"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["report", "survey", "staff"]), name="source_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.document}, {self.section}" if self.section else self.document


class ZoneQuerySet(models.QuerySet):
    def countries(self):
        return self.filter(level=Zone.Level.COUNTRY)

    def within(self, zone: "Zone"):
        """The zone itself and every zone below it."""
        return self.filter(path__startswith=zone.path)


class Zone(models.Model):
    """One tree of places: country > region > cercle > commune > locality.

    ``path`` is a materialised path of primary keys ("12/40/311/") so that "in this
    zone or below" is one indexed prefix query on every database.
    """

    class Level(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        CERCLE = "cercle", _("Cercle (district)")
        COMMUNE = "commune", _("Commune")
        LOCALITY = "locality", _("Village or locality")
        TERRITORY = "territory", _("Territory (not an administrative unit)")

    # Depth of each level; a zone must sit deeper than its parent.
    LEVEL_DEPTH = {
        Level.COUNTRY: 0,
        Level.REGION: 1,
        Level.CERCLE: 2,
        Level.COMMUNE: 3,
        Level.LOCALITY: 4,
        Level.TERRITORY: 1,
    }

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    iso_code = models.CharField(
        _("ISO 3166 code"),
        max_length=10,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 for countries (ML), ISO 3166-2 for regions (ML-1)."),
    )
    iso_numeric = models.CharField(_("ISO 3166-1 numeric code"), max_length=3, blank=True)
    official_code = models.CharField(_("official code (P-code)"), max_length=30, blank=True)
    aliases = models.CharField(
        _("other spellings"),
        max_length=500,
        blank=True,
        help_text=_("Separated by semicolons: Bafoulabe; Bafoulabé."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    name_folded = models.CharField(max_length=150, editable=False, db_index=True, default="")

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "level", "name"], name="zone_unique_name_level_in_parent"
            ),
            models.UniqueConstraint(
                fields=["level", "name"],
                condition=Q(parent__isnull=True),
                name="zone_unique_root_name_level",
            ),
            models.UniqueConstraint(
                fields=["iso_code"], condition=~Q(iso_code=""), name="zone_unique_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(
                    level__in=["country", "region", "cercle", "commune", "locality", "territory"]
                ),
                name="zone_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(level="country") | Q(parent__isnull=False),
                name="zone_only_countries_are_roots",
            ),
        ]

    def __str__(self):
        if self.parent_id and self.level != self.Level.COUNTRY:
            return f"{self.name} ({self.get_level_display().lower()}, {self.parent.name})"
        return self.name

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def get_absolute_url(self):
        return reverse("directory:zone_detail", args=[self.pk])

    def clean(self):
        if self.parent_id is None:
            return
        if self.pk and self.parent.path.startswith(self.path) and self.path:
            raise ValidationError({"parent": _("A zone cannot be placed inside itself.")})
        if self.LEVEL_DEPTH[self.level] <= self.LEVEL_DEPTH[self.parent.level]:
            raise ValidationError(
                {
                    "level": _("A %(level)s cannot be part of a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": self.parent.get_level_display()}
                }
            )

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
        self._refresh_path()

    def _refresh_path(self):
        parent_path = self.parent.path if self.parent_id else ""
        new_path = f"{parent_path}{self.pk}/"
        old_path = self.path
        if new_path == old_path:
            return
        if old_path:
            # Moving a zone moves its whole subtree; organisations keep their zones.
            Zone.objects.filter(path__startswith=old_path).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
            )
        else:
            Zone.objects.filter(pk=self.pk).update(path=new_path)
        self.path = new_path

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Zone.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class Typology(BilingualNameMixin):
    """A family of organisations, with the report's description of it.

    Families can have sub-groups (``parent``): the synthesis folds national
    associations/NGOs and international NGOs into one family, while Tableau 2 lists
    them as two of six groups. Organisations point at the most precise group.
    """

    class BudgetBand(models.TextChoices):
        UNDER_5K = "under_5k", _("Under €5,000")
        FROM_5K_TO_100K = "5k_100k", _("€5,000 to €100,000")
        OVER_100K = "over_100k", _("Over €100,000")
        UNKNOWN = "unknown", _("Unknown")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)
    themes = models.TextField(_("themes of intervention"), blank=True)
    financial_capacity = models.TextField(_("financial capacity"), blank=True)
    financial_capacity_bands = models.CharField(
        _("typical budget bands"),
        max_length=60,
        blank=True,
        help_text=_("Budget band codes separated by commas, e.g. 5k_100k,over_100k."),
    )
    partners = models.TextField(_("partners"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    added_value = models.TextField(_("added value"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("typology")
        verbose_name_plural = _("typologies")

    @property
    def family(self) -> "Typology":
        return self.parent if self.parent_id else self


class ThemeGroup(BilingualNameMixin):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme group")
        verbose_name_plural = _("theme groups")


class Theme(BilingualNameMixin):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    group = models.ForeignKey(
        ThemeGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="themes",
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def get_absolute_url(self):
        return reverse("directory:theme_detail", args=[self.slug])


class Partner(models.Model):
    """A technical and financial partner (PTF): donor, agency, local government…"""

    class Kind(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral cooperation")
        EUROPEAN_UNION = "eu", _("European Union")
        UNITED_NATIONS = "un", _("United Nations agency")
        AFRICAN = "african", _("African institution")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        GOVERNMENT = "government", _("National government")
        FOUNDATION = "foundation", _("Foundation")
        NGO = "ngo", _("NGO")
        PRIVATE = "private", _("Private sector")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.ForeignKey(
        Zone,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Zone.Level.COUNTRY},
        related_name="+",
    )
    website = models.URLField(_("web site"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "bilateral",
                        "eu",
                        "un",
                        "african",
                        "local_government",
                        "government",
                        "foundation",
                        "ngo",
                        "private",
                        "other",
                    ]
                ),
                name="partner_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Acronym(models.Model):
    """An entry of the report's acronym glossary ("Définition des sigles")."""

    acronym = models.CharField(_("acronym"), max_length=40)
    expansion = models.CharField(_("stands for"), max_length=500)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("acronym")
        verbose_name_plural = _("acronyms")
        constraints = [
            models.UniqueConstraint(fields=["acronym", "expansion"], name="acronym_unique")
        ]

    def __str__(self):
        return f"{self.acronym}: {self.expansion}"


class ZoneIndicator(models.Model):
    """A migration figure for a place (Tableaux 1 and 8 of the Mali synthesis)."""

    class Indicator(models.TextChoices):
        INTERNAL_MIGRANTS = "internal_migrants", _("Recent internal migrants (number)")
        INTERNAL_MIGRANTS_SHARE = (
            "internal_migrants_share",
            _("Share of the country's recent internal migrants (%)"),
        )
        INTERNAL_MIGRANTS_MALE = "internal_migrants_male", _("Recent internal migrants: men (%)")
        INTERNAL_MIGRANTS_FEMALE = (
            "internal_migrants_female",
            _("Recent internal migrants: women (%)"),
        )
        EMIGRANTS_FRANCE = "emigrants_france", _("Share of emigrants living in France (%)")
        EMIGRANTS_ELSEWHERE = (
            "emigrants_elsewhere",
            _("Share of emigrants living in the rest of the world (%)"),
        )
        ASSOCIATIONS_FRANCE = (
            "associations_france",
            _("Share of diaspora associations based in France (%)"),
        )
        ASSOCIATIONS_ELSEWHERE = (
            "associations_elsewhere",
            _("Share of diaspora associations based in the rest of the world (%)"),
        )

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    reference_year = models.PositiveSmallIntegerField(_("reference year"), null=True, blank=True)
    data_source = models.CharField(
        _("original data source"), max_length=255, blank=True, help_text=_("RGPH 2009, INSTAT.")
    )
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["zone__path", "indicator"]
        verbose_name = _("zone indicator")
        verbose_name_plural = _("zone indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "indicator", "source"], name="zone_indicator_unique_per_source"
            )
        ]

    def __str__(self):
        return f"{self.zone.name}: {self.get_indicator_display()} = {self.value}"


class OrganisationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Organisation.Status.PUBLISHED)

    def in_zone(self, zone: Zone):
        """Organisations working in ``zone`` or anywhere below it."""
        links = OrganisationZone.objects.filter(
            organisation=OuterRef("pk"), zone__path__startswith=zone.path
        )
        return self.filter(Exists(links))


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
            models.Index(fields=["legal_form"], name="org_legal_form_idx"),
            models.Index(fields=["registration_kind"], name="org_registration_kind_idx"),
            models.Index(fields=["scope"], name="org_scope_idx"),
            models.Index(fields=["budget_band"], name="org_budget_band_idx"),
            models.Index(fields=["acronym"], name="org_acronym_idx"),
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


class Office(models.Model):
    """A seat or office; an organisation can have several (a seat in France, an office
    in Bamako)."""

    class Kind(models.TextChoices):
        SEAT = "seat", _("Head office (seat)")
        OFFICE = "office", _("Office")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SEAT)
    address = models.TextField(_("address"))
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["seat", "office"]), name="office_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.address[:60]}"


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
        if self.value.startswith(("http://", "https://")):
            return self.value
        return f"https://{self.value}" if "." in self.value and " " not in self.value else ""


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
