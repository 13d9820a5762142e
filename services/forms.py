from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Service

# The fields staff edit, on the organisation's page and the service's own.
SERVICE_FIELDS = [
    "name", "name_en", "description", "description_en", "status", "themes",
    "populations", "eligibility", "languages", "cost", "cost_detail", "walk_in",
    "by_appointment", "by_referral", "by_phone", "offices", "channels", "zones", "source",
    "staff_notes",
]  # fmt: skip


class ServiceForm(forms.ModelForm):
    """Offices and contact channels must be the service's own organisation's."""

    class Meta:
        model = Service
        fields = ["organisation", *SERVICE_FIELDS]
        widgets = {
            "populations": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is None or organisation.pk is None:
            return cleaned
        for name in ("offices", "channels"):
            foreign = [
                str(item)
                for item in cleaned.get(name) or []
                if item.organisation_id != organisation.pk
            ]
            if foreign:
                self.add_error(
                    name,
                    _("These belong to another organisation: %(items)s.")
                    % {"items": ", ".join(foreign)},
                )
        return cleaned
