"""The networks of the Mali 2022 synthesis (fixtures/mali-2022/networks.yaml) and their
members, loaded with the rest of the seed (see organisations/seed.py)."""

from networks.models import Membership, Network
from networks.resources import NetworkResource
from organisations.seed import MaliSeed, check_keys, contribute, read_yaml


class NetworkWithoutCountriesResource(NetworkResource):
    """The seed adds the countries it lists and never removes those staff added."""

    class Meta(NetworkResource.Meta):
        fields = [name for name in NetworkResource.Meta.fields if name != "countries"]


@contribute
def load_networks(seed: MaliSeed) -> None:
    memberships = seed.table(Membership, "organisation_id", "network_id")
    allowed = {
        "slug", "level", "name", "acronym", "kind", "formality", "website", "description",
        "member_count", "member_count_is_approximate", "member_count_note", "countries",
        "organisation", "source", "memberships",
    }  # fmt: skip
    entries = read_yaml("networks.yaml")
    for entry in entries:
        check_keys(entry, allowed, f"network {entry['slug']}")
        if entry.get("organisation"):
            seed.organisation(entry["organisation"])
    rows = [
        {
            "slug": entry["slug"],
            "level": entry["level"],
            "name": entry["name"],
            "acronym": entry.get("acronym", ""),
            "kind": entry.get("kind", Network.Kind.NETWORK),
            "formality": entry.get("formality", Network.Formality.UNKNOWN),
            "website": entry.get("website", ""),
            "description": entry.get("description", ""),
            "member_count": entry.get("member_count"),
            "member_count_is_approximate": entry.get("member_count_is_approximate", False),
            "member_count_note": entry.get("member_count_note", ""),
            "organisation": entry.get("organisation", ""),
            "source": seed.source(entry["source"]).code,
        }
        for entry in entries
    ]
    seed.import_catalogue(NetworkWithoutCountriesResource, rows)
    covered = set(Network.countries.through.objects.values_list("network_id", "zone_id"))
    for entry in entries:
        network = seed.known(Network, entry["slug"])
        wanted = {seed.zone(name).pk for name in entry.get("countries", [])}
        missing = {pk for pk in wanted if (network.pk, pk) not in covered}
        if missing:
            network.countries.add(*missing)
            seed.stats["networks.Network countries added"] += len(missing)
        for member in entry.get("memberships", []):
            memberships.put(
                organisation_id=seed.organisation(member["organisation"]).pk,
                network_id=network.pk,
                role=member.get("role", ""),
                source_id=seed.source(member["source"]).pk,
            )
