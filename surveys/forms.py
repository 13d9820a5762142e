from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.checking import validate_mapping
from surveys.mapping import MappingError
from surveys.models import ImportBatch, ImportMapping

CREATE_CHOICES = [
    ("themes", _("themes")),
    ("partners", _("partners")),
    ("networks", _("networks")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Survey file"),
        help_text=_("KoboToolbox XLSX export, or CSV (comma, semicolon or tab; UTF-8 or Windows)."),
    )
    mapping = forms.ModelChoiceField(label=_("Mapping"), queryset=ImportMapping.objects.all())
    on_existing = forms.ChoiceField(
        label=_("Organisations already in the directory"),
        choices=ImportBatch.OnExisting.choices,
        initial=ImportBatch.OnExisting.FILL,
        widget=forms.RadioSelect,
    )
    allow_create = forms.MultipleChoiceField(
        label=_("Create values that match nothing, in"),
        choices=CREATE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Unticked: such values are reported as errors. Zones are never created."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SURVEY_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": round(upload.size / 1_048_576, 1),
                    "limit": round(settings.SURVEY_IMPORT_MAX_BYTES / 1_048_576, 1),
                }
            )
        return upload


class ImportMappingForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Load from a file"),
        required=False,
        help_text=_("A YAML or JSON mapping file; it replaces the definition above."),
    )

    class Meta:
        model = ImportMapping
        fields = ["name", "slug", "definition", "upload"]
        widgets = {
            "definition": forms.Textarea(
                attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"}
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].required = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            try:
                cleaned["definition"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", _("The mapping file must be UTF-8 text."))
                return cleaned
        if not cleaned.get("definition"):
            self.add_error("definition", _("Write the mapping or load it from a file."))
            return cleaned
        try:
            validate_mapping(cleaned["definition"])
        except MappingError as exc:
            self.add_error("upload" if upload else "definition", str(exc))
            return cleaned
        self.instance.definition = cleaned["definition"]
        return cleaned


class KoboPullForm(UploadForm):
    """The options of a KoboToolbox pull: those of a file import, the file and the mapping
    aside (the source names its mapping)."""

    full = forms.BooleanField(
        label=_("Pull every submission again"),
        required=False,
        help_text=_("Unticked: only the submissions sent after the last pull imported."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["file"]
        del self.fields["mapping"]
