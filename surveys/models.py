from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import Source
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

    ``created`` lists the primary keys of every row the import inserted, by model
    ("organisations.Organisation": [12, 13]); ``updated`` keeps, for every row it
    changed, the values it had before. Undo works from these two.
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
