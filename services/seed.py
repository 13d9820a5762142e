"""The services the Mali 2022 synthesis states (fixtures/mali-2022/services.yaml), loaded
with the rest of the seed (see organisations/seed.py)."""

from organisations.models import OrganisationZone, Theme
from organisations.seed import MaliSeed, SeedError, check_keys, contribute, read_yaml
from services.models import PopulationGroup, Service

ALLOWED_KEYS = {"theme", "name", "name_en", "populations", "organisations", "zones"}


class Links:
    """A many-to-many relation of services, read once: what the fixture names is added,
    links staff added are kept."""

    def __init__(self, relation: str, seed: MaliSeed):
        self.relation = relation
        self.seed = seed
        through = getattr(Service, relation).through
        target = getattr(Service, relation).field.m2m_reverse_field_name()
        self.existing = set(through.objects.values_list("service_id", target))

    def add(self, service: Service, wanted: set[int]) -> None:
        missing = {pk for pk in wanted if (service.pk, pk) not in self.existing}
        if missing:
            getattr(service, self.relation).add(*missing)
            self.existing |= {(service.pk, pk) for pk in missing}
            self.seed.stats[f"services.Service {self.relation} added"] += len(missing)


@contribute
def load_services(seed: MaliSeed) -> None:
    source = seed.source("mali-2022-t5")
    services = seed.table(Service, "organisation_id", "name")
    themes = dict(Theme.objects.values_list("slug", "pk"))
    populations = dict(PopulationGroup.objects.values_list("slug", "pk"))
    organisation_zones: dict[int, set[int]] = {}
    for organisation_id, zone_id in OrganisationZone.objects.values_list(
        "organisation_id", "zone_id"
    ):
        organisation_zones.setdefault(organisation_id, set()).add(zone_id)
    theme_links, population_links, zone_links = (
        Links(relation, seed) for relation in ("themes", "populations", "zones")
    )
    for entry in read_yaml("services.yaml"):
        check_keys(entry, ALLOWED_KEYS, f"service {entry['name']}")
        unknown = set(entry["populations"]) - set(populations)
        if entry["theme"] not in themes or unknown:
            raise SeedError(f"service {entry['name']}: unknown theme or people {sorted(unknown)}")
        for slug in entry["organisations"]:
            organisation = seed.organisation(slug)
            service = services.put(
                organisation_id=organisation.pk,
                name=entry["name"],
                name_en=entry["name_en"],
                status=Service.Status.PUBLISHED,
                source_id=source.pk,
            )
            places = entry.get("zones", {}).get(slug)
            zone_ids = (
                {seed.zone(path).pk for path in places}
                if places
                else organisation_zones.get(organisation.pk, set())
            )
            theme_links.add(service, {themes[entry["theme"]]})
            population_links.add(service, {populations[slug] for slug in entry["populations"]})
            zone_links.add(service, zone_ids)
