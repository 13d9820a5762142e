"""Import and export of the networks catalogue (see organisations/resources.py)."""

from import_export import widgets
from import_export.fields import Field

from networks.models import Network
from organisations.models import Organisation, Zone
from organisations.resources import (
    NaturalKeysWidget,
    SlugResource,
    choice,
    number,
    related,
    source_column,
    text,
)


class NetworkResource(SlugResource):
    acronym = text("acronym")
    level = choice("level", Network.Level.choices)
    kind = choice("kind", Network.Kind.choices)
    formality = choice("formality", Network.Formality.choices)
    website = text("website")
    description = text("description")
    member_count = number("member_count")
    member_count_is_approximate = Field(
        attribute="member_count_is_approximate",
        column_name="member_count_is_approximate",
        widget=widgets.BooleanWidget(),
    )
    member_count_note = text("member_count_note")
    # Countries covered, by ISO 3166-1 code: "ML,BF,SN".
    countries = Field(
        attribute="countries", column_name="countries", widget=NaturalKeysWidget(Zone, "iso_code")
    )
    # The directory's record of the network itself, by its slug.
    organisation = related("organisation", Organisation, "slug")
    source = source_column()

    class Meta(SlugResource.Meta):
        model = Network
        fields = [
            "slug", "name", "acronym", "level", "kind", "formality", "website", "description",
            "member_count", "member_count_is_approximate", "member_count_note", "countries",
            "organisation", "source",
        ]  # fmt: skip
