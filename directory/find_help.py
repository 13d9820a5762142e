"""« Trouver de l'aide »: the services that serve a place, for the people and need given.

The visitor says where they are (any zone of the tree) and, optionally, who the help is
for, its theme and a language; every choice is checked against the catalogues, so a
wrong value is a clear 400, never silently dropped. Services come from
``services.visibility`` and each shows only public ways to reach it.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from directory.service_index import IndexedServices, service_index
from directory.zone_order import in_tree_order
from organisations.models import ContactChannel, Office, Theme, Zone
from organisations.visibility import sees_private, visible_channels
from services.models import Language, PopulationGroup, Schedule, Service
from services.visibility import visible_services


@dataclass
class HelpCatalogues:
    """What the form offers, read once per request (a few hundred rows at most)."""

    zones: list[Zone]
    populations: list[PopulationGroup]
    themes: list[Theme]
    languages: list[Language]

    @classmethod
    def load(cls, user) -> "HelpCatalogues":
        zones = list(Zone.objects.all())
        seen = visible_services(user).filter(themes=OuterRef("pk"))
        return cls(
            # The select reads as the tree: each place after its parent, siblings in
            # official order (the primary keys in ``path`` say only when each was recorded).
            zones=in_tree_order(zones, zones),
            populations=list(PopulationGroup.objects.all()),
            # Only themes of services ``user`` sees: the others would always find nothing.
            themes=list(Theme.objects.filter(Exists(seen))),
            languages=list(Language.objects.all()),
        )


def _zone_label(zone: Zone) -> str:
    depth = zone.path.count("/") - 1
    return "\u00a0\u00a0" * depth + zone.display_name


class FindHelpForm(forms.Form):
    zone = forms.ChoiceField(label=_("Where are you?"), required=False)
    population = forms.ChoiceField(label=_("Who is the help for?"), required=False)
    theme = forms.ChoiceField(label=_("What do you need?"), required=False)
    language = forms.ChoiceField(label=_("In which language?"), required=False)

    def __init__(self, data, catalogues: HelpCatalogues):
        super().__init__(data)
        self.catalogues = catalogues
        anywhere = [("", _("Anywhere"))]
        self.fields["zone"].choices = anywhere + [
            (str(z.pk), _zone_label(z)) for z in catalogues.zones
        ]
        everyone = [("", _("Anyone"))]
        self.fields["population"].choices = everyone + [
            (p.slug, p.display_name) for p in catalogues.populations
        ]
        self.fields["theme"].choices = [("", _("Any kind of help"))] + [
            (t.slug, t.display_name) for t in catalogues.themes
        ]
        self.fields["language"].choices = [("", _("Any language"))] + [
            (lang.code, lang.display_name) for lang in catalogues.languages
        ]

    def clean_zone(self) -> Zone | None:
        value = self.cleaned_data["zone"]
        return next((z for z in self.catalogues.zones if str(z.pk) == value), None)

    def chosen(self) -> list[tuple[str, str]]:
        """(question, answer) for each choice made: what a printed page says was asked."""
        return [
            (field.label, dict(field.choices)[value].strip())
            for name, field in self.fields.items()
            if (value := self.data.get(name))
        ]

    def errors_by_label(self) -> list[tuple[str, list[str]]]:
        return [(self.fields[name].label, messages) for name, messages in self.errors.items()]


def indexed_services(criteria: dict, catalogues: HelpCatalogues, user) -> IndexedServices:
    """The services ``user`` sees that match the form's cleaned ``criteria``, from the
    in-memory index (directory/service_index.py)."""
    index = service_index()

    def entry_id(name: str, entries, key) -> int | None:
        return next((e.pk for e in entries if key(e) == criteria.get(name)), None)

    result = index.search(
        sees_private(user),
        criteria.get("zone"),
        catalogues.zones,
        population=entry_id("population", catalogues.populations, lambda p: p.slug),
        theme=entry_id("theme", catalogues.themes, lambda t: t.slug),
        language=entry_id("language", catalogues.languages, lambda lang: lang.code),
    )
    return IndexedServices(index, result, with_ways_to_reach(visible_services(user), user))


def with_ways_to_reach(services: QuerySet[Service], user) -> QuerySet[Service]:
    """What a service's entry shows, in a fixed number of queries whatever the rows: its
    own public channels and offices with hours, else its organisation's."""
    public_channels = visible_channels(user)
    return services.select_related("organisation", "source").prefetch_related(
        "populations",
        "languages",
        "zones",
        Prefetch("channels", public_channels),
        Prefetch("offices", Office.objects.select_related("zone")),
        Prefetch("schedules", Schedule.objects.select_related("office")),
        Prefetch("organisation__channels", public_channels.filter(kind__in=REACH_KINDS)),
        Prefetch("organisation__offices", Office.objects.select_related("zone")),
    )


# The organisation's channels a visitor can use to ask for help.
REACH_KINDS = [ContactChannel.Kind.PHONE, ContactChannel.Kind.EMAIL, ContactChannel.Kind.WEBSITE]


@dataclass
class Place:
    office: Office
    hours: list[Schedule]


@dataclass
class WaysToReach:
    channels: list[ContactChannel]
    places: list[Place]
    hours: list[Schedule]  # wherever the service is delivered
    from_organisation: bool  # the service has no channel or office of its own


def ways_to_reach(service: Service) -> WaysToReach:
    """How to reach ``service`` (prefetched by ``with_ways_to_reach``)."""
    schedules = list(service.schedules.all())
    channels = list(service.channels.all())
    offices = list(service.offices.all())
    own = bool(channels or offices)
    if not own:
        channels = list(service.organisation.channels.all())
        offices = list(service.organisation.offices.all())
    places = [
        Place(office, [s for s in schedules if s.office_id == office.pk]) for office in offices
    ]
    return WaysToReach(
        channels=channels,
        places=places,
        hours=[s for s in schedules if s.office_id is None],
        from_organisation=not own,
    )
