from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jobs.models import Job
from organisations.models import Source
from surveys.id_runs import all_ids, count_ids
from surveys.mapping import Mapping, MappingError, parse_mapping


class ImportMapping(models.Model):
    """A saved mapping (YAML or JSON) from a questionnaire's columns to the directory."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("code"), max_length=80, unique=True)
    definition = models.TextField(
        _("definition (YAML or JSON)"),
        help_text=_("See “Importing a survey” in the README for how to write one."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self):
        return self.name

    def clean(self):
        from surveys.checking import validate_mapping  # it reads the catalogues

        try:
            validate_mapping(self.definition)
        except MappingError as exc:
            raise ValidationError({"definition": str(exc)}) from None

    def parsed(self) -> Mapping:
        mapping = parse_mapping(self.definition)
        mapping.name = mapping.name or self.name
        return mapping


class ImportBatch(models.Model):
    """One applied import: who, when, which file and mapping, what it created and changed.

    ``created`` lists the primary keys of every row the import inserted, by model, as runs
    of consecutive ids ("organisations.Organisation": [[12, 90011], 90020], see
    surveys.id_runs); ``updated`` keeps, for every row it changed, the values it had before.
    Undo works from these two.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNDONE = "undone", _("Undone")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing: write nothing while a row is in error")
        SET_ASIDE = "set_aside", _("Apply the valid rows and set the rows in error aside")

    class OnExisting(models.TextChoices):
        SKIP = "skip", _("Skip: leave existing organisations as they are")
        FILL = "fill", _("Fill: complete empty fields only")
        OVERWRITE = "overwrite", _("Overwrite: replace with the file's values")

    mapping = models.ForeignKey(
        ImportMapping, verbose_name=_("mapping"), on_delete=models.PROTECT, related_name="batches"
    )
    mapping_definition = models.TextField(_("mapping as applied"))
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    on_existing = models.CharField(
        _("existing organisations"), max_length=10, choices=OnExisting.choices
    )
    allow_create = models.CharField(_("catalogue entries created"), max_length=100, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied"))
    counts = models.JSONField(_("counts"), default=dict)
    mode = models.CharField(
        _("mode"), max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    rows_applied = models.PositiveIntegerField(_("rows applied"), default=0)
    rows_set_aside = models.PositiveIntegerField(_("rows set aside"), default=0)
    # The rows set aside, in the file's own format, to correct and import again. It holds
    # personal data: served only to staff who may import (ImportBatchAdmin.set_aside_view).
    set_aside_file = models.FileField(
        _("rows set aside"), upload_to="survey-imports/set-aside/", blank=True, editable=False
    )
    created = models.JSONField(default=dict, editable=False)
    updated = models.JSONField(default=dict, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("survey import")
        verbose_name_plural = _("survey imports")
        permissions = [("import_survey", _("Can import survey files and undo imports"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["applied", "undone"]), name="import_batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(on_existing__in=["skip", "fill", "overwrite"]),
                name="import_batch_on_existing_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["all", "set_aside"]), name="import_batch_mode_valid"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.applied_at:%Y-%m-%d %H:%M})"

    @property
    def change_reason(self) -> str:
        return f"Survey import #{self.pk}: {self.file_name}"[:100]

    def created_ids(self, label: str) -> list[int]:
        """The primary keys of the ``label`` records ("app.Model") the import created."""
        return all_ids(self.created.get(label, []))

    def created_counts(self) -> dict[str, int]:
        """How many records of each model the import created."""
        return {label: count_ids(runs) for label, runs in self.created.items()}


class KoboSource(models.Model):
    """A KoboToolbox form whose submissions staff pull directly (see surveys.kobo).

    The API token is never stored: ``token_variable`` names the environment variable of the
    server's processes that holds it. ``last_submission_time`` is the newest
    ``_submission_time`` of the pulls applied so far, as KoboToolbox writes it; the next
    pull asks only for later submissions.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("code"), max_length=80, unique=True, help_text=_("Named on the command line.")
    )
    server_url = models.URLField(
        _("server address"),
        default="https://kf.kobotoolbox.org",
        help_text=_("https://kf.kobotoolbox.org, https://eu.kobotoolbox.org or your own server."),
    )
    asset_uid = models.CharField(
        _("form (asset uid)"),
        max_length=64,
        validators=[
            RegexValidator(r"^[A-Za-z0-9]+$", _("An asset uid has only letters and digits."))
        ],
        help_text=_("The letters and digits after /forms/ in the form's address."),
    )
    mapping = models.ForeignKey(
        ImportMapping, verbose_name=_("mapping"), on_delete=models.PROTECT, related_name="+"
    )
    token_variable = models.CharField(
        _("token environment variable"),
        max_length=100,
        default="KOBO_TOKEN",
        validators=[
            RegexValidator(
                r"^[A-Z_][A-Z0-9_]*$",
                _("Capital letters, digits and underscores, e.g. KOBO_TOKEN."),
            )
        ],
        help_text=_(
            "Name of the environment variable that holds the API token; the token itself is "
            "never stored here."
        ),
    )
    last_pulled_at = models.DateTimeField(_("last pull"), null=True, blank=True, editable=False)
    last_submission_time = models.CharField(
        _("newest submission time pulled"), max_length=40, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("KoboToolbox source")
        verbose_name_plural = _("KoboToolbox sources")

    def __str__(self):
        return self.name

    def clean(self):
        address = urlsplit(self.server_url or "")
        # The token goes with every request: in clear only to this machine (tests, a tunnel).
        if address.scheme != "https" and address.hostname not in ("localhost", "127.0.0.1"):
            raise ValidationError(
                {"server_url": _("The address must start with https:// (the token is sent).")}
            )


class KoboPull(models.Model):
    """One pull of a KoboSource: the submissions read, as a workbook awaiting its import,
    and their attachments' download addresses (kept here, with the import they fed)."""

    source = models.ForeignKey(
        KoboSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="pulls"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pulled by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    pulled_at = models.DateTimeField(_("pulled"))
    since = models.CharField(_("submitted after"), max_length=40, blank=True)
    submissions = models.PositiveIntegerField(_("submissions"))
    newest_submission_time = models.CharField(_("newest submission"), max_length=40)
    # The rows as an XLSX export; personal data, deleted once imported (or after a day).
    file = models.FileField(_("pulled rows"), blank=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 of the file"), max_length=64)
    options = models.JSONField(default=dict, editable=False)
    attachments = models.JSONField(_("attachments"), default=list, editable=False)
    batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kobo_pull",
    )
    # The job that pulled it: the command line finds the import (and its rows set aside) here.
    job = models.ForeignKey(
        Job,
        verbose_name=_("background job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The source's markers before this pull was applied: undoing its import puts them back.
    previous_pulled_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_submission_time = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["-pulled_at"]
        verbose_name = _("KoboToolbox pull")
        verbose_name_plural = _("KoboToolbox pulls")

    def __str__(self):
        return self.file_name
