from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from organisations.models import ContactChannel, Organisation
from organisations.visibility import visible_channels
from outreach.recipients import CampaignFilters, region_choices, typology_choices

LANGUAGE_HELP = _(
    "The language of the e-mail and of the page its link opens. French unless the "
    "organisation works in English."
)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=LANGUAGE_HELP,
    )
    regions = forms.TypedMultipleChoiceField(
        label=_("Working in these regions"), coerce=int, required=False
    )
    typologies = forms.TypedMultipleChoiceField(
        label=_("Of these typologies"),
        coerce=int,
        required=False,
        help_text=_("A family includes its sub-groups."),
    )
    not_verified = forms.BooleanField(label=_("Not verified for 12 months"), required=False)
    status = forms.ChoiceField(
        label=_("Publication status"),
        choices=[
            (Organisation.Status.PUBLISHED, _("Published")),
            (Organisation.Status.DRAFT, _("Draft")),
            ("", _("Published or draft")),
        ],
        required=False,
        initial=Organisation.Status.PUBLISHED,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = region_choices()
        self.fields["typologies"].choices = typology_choices()

    def campaign_filters(self) -> CampaignFilters:
        data = self.cleaned_data
        return CampaignFilters(
            regions=tuple(data["regions"]),
            typologies=tuple(data["typologies"]),
            not_verified=data["not_verified"],
            status=data["status"],
        )


class SendLinkForm(forms.Form):
    """The address among the organisation's e-mail channels the staff member sees (public
    or private)."""

    address = forms.ChoiceField(label=_("Send to"), widget=forms.RadioSelect)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=LANGUAGE_HELP,
    )

    def __init__(self, organisation: Organisation, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channels = (
            visible_channels(user)
            .filter(organisation=organisation, kind=ContactChannel.Kind.EMAIL)
            .order_by("to_verify", "-is_public", "position", "pk")
        )
        self.fields["address"].choices = [
            (channel.value, _address_label(channel)) for channel in channels
        ]
        if channels:
            self.fields["address"].initial = channels[0].value


def _address_label(channel: ContactChannel) -> str:
    notes = []
    if not channel.is_public:
        notes.append(str(_("private")))
    if channel.to_verify:
        notes.append(str(_("to verify")))
    return f"{channel.value} ({', '.join(notes)})" if notes else channel.value
