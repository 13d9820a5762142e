"""The one list engine (directory/facet_index.py) gives what the filters mean.

The Mali seed plus 400 demo organisations (drafts, private needs, several zones and
themes each), then for each query string and each audience: the same organisations in
the same order, and the same facet counts, as a plain reference written here from the
filters' definitions (one loop over the rows, no bitmaps). Runs on SQLite and PostgreSQL
(their sort orders differ: the index takes its name order from the database). Text
search has its own tests (tests/test_search_*.py).
"""

import random
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone

from directory.facet_index import Audience, FacetIndex, facet_index
from directory.filters import BY_NAME, OrganisationFilterSet
from directory.index_data import read_all
from directory.listing import Listing
from directory.referral import related_in_index
from needs.models import NeedCategory, OrganisationNeed
from needs.visibility import needs_seen
from networks.models import Membership
from organisations.factories import OrganisationFactory
from organisations.models import (
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
    Theme,
    Typology,
    Zone,
)
from organisations.verification import verification_cutoff
from services.visibility import services_seen

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """Loaded once for the module in a transaction rolled back at its end (each test's
    own writes are rolled back to a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_mali", stdout=StringIO())
        call_command("generate_demo", organisations=400, seed=7, stdout=StringIO())
        _verify_some()
        yield
        transaction.set_rollback(True)


def _verify_some() -> None:
    """A third verified in the last year, a third over a year ago (some on the same day),
    the rest never: what the verification filter and sort divide."""
    now = timezone.now()
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    for n, pk in enumerate(ids):
        if n % 3 == 2:
            continue
        days = (n * 7) % 300 if n % 3 == 0 else 400 + n % 50
        Organisation.objects.filter(pk=pk).update(verified_at=now - timedelta(days=days))


def _filterset(query: str) -> OrganisationFilterSet:
    filterset = OrganisationFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset


def _nonzero(counts: dict) -> dict:
    """Facets with some count, without zero counts."""
    return {
        facet: {key: n for key, n in values.items() if n}
        for facet, values in counts.items()
        if any(values.values())
    }


COLUMNS = {
    "typology": "typology_id",
    "legal_form": "legal_form",
    "registration": "registration_kind",
    "scope": "scope",
    "budget": "budget_band",
    "country": "registration_country_id",
}


class Reference:
    """What each filter means, written plainly over the rows: one set of keys per
    organisation and facet, an organisation kept when, for every filter, it has one of
    the chosen keys."""

    def __init__(self, audience: Audience) -> None:
        private = audience.private
        rows = Organisation.objects.order_by(*BY_NAME).values(
            "pk", "status", "updated_at", "verified_at", *COLUMNS.values()
        )
        if not private:
            rows = rows.filter(status=Organisation.Status.PUBLISHED)
        self.rows = list(rows)
        self.keys: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        cutoff = verification_cutoff()
        parents = dict(Typology.objects.values_list("pk", "parent_id"))
        for row in self.rows:
            keys = self.keys[row["pk"]]
            for name, column in COLUMNS.items():
                keys[name].add(row[column])
            if row["typology_id"] and parents.get(row["typology_id"]):
                keys["typology"].add(parents[row["typology_id"]])
            recent = row["verified_at"] is not None and row["verified_at"] >= cutoff
            keys["verified"].add("recent" if recent else "due")
        paths = dict(Zone.objects.values_list("pk", "path"))
        for organisation, zone in OrganisationZone.objects.values_list("organisation", "zone"):
            for ancestor in paths[zone].strip("/").split("/"):
                self.keys[organisation]["zone"].add(int(ancestor))
        links = {
            "theme": OrganisationTheme.objects.values_list("organisation", "theme"),
            "network": Membership.objects.values_list("organisation", "network"),
            "partner": Partnership.objects.values_list("organisation", "partner"),
            "need": needs_seen(private).values_list("organisation", "category"),
            "services_for": services_seen(private).values_list("organisation", "populations"),
        }
        for name, pairs in links.items():
            for organisation, key in pairs:
                if key is not None:
                    self.keys[organisation][name].add(key)

    @staticmethod
    def _chosen(name: str, value) -> set:
        if name in ("legal_form", "registration", "scope", "budget", "verified"):
            return set(value)
        return {item.pk for item in value}

    def kept(self, row: dict, criteria: dict, leaving_out: str = "") -> bool:
        return all(
            self.keys[row["pk"]][name] & self._chosen(name, value)
            for name, value in criteria.items()
            if value and name not in ("sort", leaving_out)
        )

    def answer(self, criteria: dict) -> tuple[list[int], dict]:
        kept = [row for row in self.rows if self.kept(row, criteria)]
        rank = {row["pk"]: i for i, row in enumerate(self.rows)}
        sort = criteria.get("sort")
        if sort == "-updated":
            kept.sort(key=lambda row: (-row["updated_at"].timestamp(), rank[row["pk"]]))
        elif sort == "-verified":
            kept.sort(
                key=lambda row: (
                    row["verified_at"] is None,
                    -(row["verified_at"].timestamp() if row["verified_at"] else 0),
                    rank[row["pk"]],
                )
            )
        counts: dict[str, dict] = {"total": {None: len(kept)}}
        for name in [*COLUMNS, "zone", "theme", "network", "partner", "need", "services_for",
                     "verified"]:  # fmt: skip
            facet = defaultdict(int)
            for row in self.rows:
                if self.kept(row, criteria, leaving_out=name):
                    for key in self.keys[row["pk"]][name]:
                        facet[key] += 1
            counts[name] = dict(facet)
        # The reference adds a family to its sub-groups' organisations; the index counts
        # each typology's own organisations (the facet adds the families itself).
        counts["typology"] = self._own_typologies(criteria)
        return [row["pk"] for row in kept], _nonzero(counts)

    def _own_typologies(self, criteria: dict) -> dict:
        facet = defaultdict(int)
        for row in self.rows:
            if self.kept(row, criteria, leaving_out="typology"):
                facet[row["typology_id"]] += 1
        return dict(facet)


def _reference_answer(query: str, audience: Audience = Audience.PUBLIC):
    return Reference(audience).answer(_filterset(query).form.cleaned_data)


def _index_answer(query: str, audience: Audience = Audience.PUBLIC) -> tuple[list[int], dict]:
    listing = Listing(_filterset(query), audience)
    return listing.ids(), _nonzero(listing.counts)


def _values() -> dict[str, list[str]]:
    """Values of each filter that some public organisation has."""
    published = Organisation.objects.published()
    return {
        "typology": list(Typology.objects.values_list("slug", flat=True)),
        "zone": [
            str(pk)
            for pk in Zone.objects.filter(organisation_links__isnull=False)
            .values_list("pk", flat=True)
            .distinct()
        ],
        "theme": list(Theme.objects.values_list("slug", flat=True)),
        "network": sorted(set(Membership.objects.values_list("network__slug", flat=True))),
        "partner": sorted(set(Partnership.objects.values_list("partner__slug", flat=True))),
        "need": list(NeedCategory.objects.values_list("slug", flat=True)),
        "country": sorted(
            set(published.values_list("registration_country__iso_code", flat=True)) - {None, ""}
        ),
        "legal_form": [v for v, _ in Organisation.LegalForm.choices],
        "registration": [v for v, _ in Organisation.RegistrationKind.choices],
        "scope": [v for v, _ in Organisation.Scope.choices],
        "budget": [v for v, _ in Organisation.BudgetBand.choices],
        "verified": ["recent", "due"],
        "sort": ["name", "-updated", "-verified"],
    }


FIXED_QUERIES = [
    "",
    "sort=-updated",
    "sort=-verified",
    "verified=recent",
    "verified=due&sort=-verified",
    "verified=recent&verified=due",
    "need=genre-droits-humains",  # a need some organisations hold privately
    "typology=associations-ong-nationales-et-internationales",  # a family and its sub-groups
]


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("query", FIXED_QUERIES)
def test_it_gives_what_the_filters_mean(directory, query, audience):
    assert _index_answer(query, audience) == _reference_answer(query, audience)


@pytest.mark.parametrize("audience", list(Audience))
def test_it_gives_what_the_filters_mean_in_random_combinations(directory, audience):
    values = _values()
    rng = random.Random(2026)
    sizes = []
    for _ in range(60):
        query = QueryDict(mutable=True)
        for name in rng.sample(sorted(values), rng.randint(1, 4)):
            query.setlist(name, rng.sample(values[name], min(len(values[name]), rng.randint(1, 2))))
        if len(query.getlist("sort")) > 1:
            query.setlist("sort", query.getlist("sort")[:1])
        ids, counts = _index_answer(query.urlencode(), audience)
        assert (ids, counts) == _reference_answer(query.urlencode(), audience), query.urlencode()
        sizes.append(len(ids))
    # Not a run of empty lists: most combinations find organisations.
    assert sum(1 for size in sizes if size) >= 30, sizes


def test_staff_see_drafts_and_private_needs_the_public_does_not(directory):
    public, _ = _index_answer("")
    staff, _ = _index_answer("", Audience.STAFF)
    assert set(public) < set(staff)
    drafts = set(
        Organisation.objects.exclude(status=Organisation.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    assert drafts and drafts <= set(staff) and not drafts & set(public)


def test_it_counts_the_organisations_of_a_zone_and_everything_below_it(directory):
    kayes = Zone.objects.get(iso_code="ML-1")
    _ids, counts = _index_answer("")
    in_kayes = Organisation.objects.published().in_zone(kayes).count()
    assert in_kayes > 0
    assert counts["zone"][kayes.pk] == in_kayes


def test_a_page_reads_only_its_organisations(directory, django_assert_num_queries):
    listing = Listing(_filterset("sort=-updated"), Audience.PUBLIC)
    results = listing.results(Organisation.objects.all())
    expected = listing.ids()
    with django_assert_num_queries(1):
        deep = results[len(results) - 25 : len(results) - 5]
    assert [o.pk for o in deep] == expected[-25:-5]


def test_it_is_rebuilt_after_a_write_in_this_process(directory):
    before = facet_index()
    OrganisationFactory(name="Zzyzx nouvelle", slug="zzyzx").refresh_search_text()
    after = facet_index()
    assert after is not before
    matches, _counts = after.search({"q": "zzyzx"}, Audience.STAFF)
    assert [after.ids[p] for p in matches] == [Organisation.objects.get(slug="zzyzx").pk]
    assert facet_index() is after  # no write since: the same index


def test_it_holds_every_organisation_and_whose_needs_the_public_sees(directory):
    index = FacetIndex(read_all())
    assert {index.ids[p] for p in index.everything} == set(
        Organisation.objects.values_list("pk", flat=True)
    )
    assert {index.ids[p] for p in index.published} == set(
        Organisation.objects.published().values_list("pk", flat=True)
    )
    for audience, needs in (
        (Audience.PUBLIC, needs_seen(False)),
        (Audience.STAFF, needs_seen(True)),
    ):
        held = {
            (index.ids[p], category)
            for category, positions in index.data.audience_values[audience]["need"].items()
            for p in positions
        }
        assert held == set(needs.values_list("organisation_id", "category_id"))
    assert OrganisationNeed.objects.filter(is_public=False).exists()


def _depth(path: str) -> int:
    return path.count("/")


def zone_overlap(paths: list[str], other_paths: list[str]) -> int:
    """The referral's zone score, written plainly: for each of the first set's zones, the
    closest meeting (one zone containing the other) scores the depth of the smaller zone;
    meeting only through a whole country scores 1, once."""

    def meeting(path: str, other: str) -> int:
        if path.startswith(other) or other.startswith(path):
            return min(_depth(path), _depth(other))
        return 0

    best = [max((meeting(p, o) for o in other_paths), default=0) for p in paths]
    return sum(depth for depth in best if depth > 1) + (1 if 1 in best else 0)


def test_zone_overlap_counts_containing_zones():
    mali, kayes, yelimane, gao = "1/", "1/2/", "1/2/3/", "1/4/"
    assert zone_overlap([yelimane], [yelimane]) == 3
    assert zone_overlap([yelimane], [kayes]) == 2
    assert zone_overlap([kayes], [yelimane]) == 2
    assert zone_overlap([yelimane], [gao]) == 0  # neighbours in one country do not meet
    assert zone_overlap([yelimane], [mali]) == 1
    assert zone_overlap([kayes, gao], [kayes, mali]) == 3  # Gao meets it only through Mali


def _reference_referrals(organisation: Organisation, audience: Audience) -> list[tuple]:
    """Organisations sharing a theme and a meeting zone, best overlap first, then by name."""
    visible = Organisation.objects.all() if audience.private else Organisation.objects.published()
    rank = {pk: i for i, pk in enumerate(visible.order_by(*BY_NAME).values_list("pk", flat=True))}
    themes, paths = defaultdict(set), defaultdict(list)
    for pk, theme in OrganisationTheme.objects.values_list("organisation", "theme"):
        themes[pk].add(theme)
    for pk, path in OrganisationZone.objects.values_list("organisation", "zone__path"):
        paths[pk].append(path)
    mine = paths[organisation.pk]
    scored = []
    for pk in rank:
        shared, zones = len(themes[pk] & themes[organisation.pk]), zone_overlap(mine, paths[pk])
        if pk != organisation.pk and shared and zones:
            scored.append((-(shared + zones), -zones, rank[pk], pk, shared, zones))
    return [(pk, shared, zones) for *_key, pk, shared, zones in sorted(scored)[:8]]


@pytest.mark.parametrize("audience", list(Audience))
def test_it_gives_the_referrals_the_definition_gives(directory, audience):
    index = facet_index()
    compared = 0
    organisations = Organisation.objects.prefetch_related(
        "theme_links", Prefetch("zone_links", OrganisationZone.objects.select_related("zone"))
    )
    for organisation in organisations.order_by("pk")[::10]:
        expected = _reference_referrals(organisation, audience)
        found = related_in_index(organisation, index, audience)
        assert [(r.organisation.pk, r.shared_themes, r.zone_score) for r in found] == expected
        compared += bool(expected)
    assert compared >= 20  # organisations with referrals, not only empty lists


def _same_answers(queries=("", "sort=-updated", "sort=-verified", "need=genre-droits-humains")):
    for audience in Audience:
        for query in queries:
            assert _index_answer(query, audience) == _reference_answer(query, audience), query


def test_a_write_reads_the_organisation_it_changed_again_not_the_others(directory):
    before = facet_index()
    organisation = Organisation.objects.published().order_by("pk").first()
    position = before.position(organisation.pk)
    theme = Theme.objects.exclude(pk__in=organisation.themes.all()).first()
    OrganisationTheme.objects.create(organisation=organisation, theme=theme)
    after = facet_index()
    assert after is not before
    assert after.position(organisation.pk) == position  # same name: same place
    assert position in after.values["theme"][theme.pk]
    # A typology it does not have: the very same bitmap, shared with the index before.
    other = next(k for k, p in before.values["typology"].items() if position not in p)
    assert after.values["typology"][other] is before.values["typology"][other]
    _same_answers()


def _count_full_reads(monkeypatch) -> list:
    from directory import facet_index as module

    reads = []
    monkeypatch.setattr(module, "read_all", lambda: reads.append(1) or read_all())
    return reads


def test_additions_renames_removals_and_publications_keep_every_answer(directory, monkeypatch):
    facet_index()
    reads = _count_full_reads(monkeypatch)
    kayes = Zone.objects.get(iso_code="ML-1")
    renamed = Organisation.objects.published().order_by("-pk").first()
    # An existing typology: a new one is a catalogue change (everything read again).
    typology = Typology.objects.first()
    added = OrganisationFactory(name="Association Mmmmm de Kayes", zones=[kayes], typology=typology)
    renamed.name = "Aaaa renommée"
    renamed.save()
    Organisation.objects.filter(pk=Organisation.objects.order_by("pk")[5].pk).delete()
    draft = Organisation.objects.exclude(status=Organisation.Status.PUBLISHED).first()
    draft.status = Organisation.Status.PUBLISHED
    draft.save()
    need = OrganisationNeed.objects.filter(is_public=False).first()
    need.is_public = True
    need.save()
    index = facet_index()
    assert reads == []  # updated, not read again
    assert index.position(added.pk) is not None
    names = [index.ids[p] for p in index.everything]
    assert names.index(renamed.pk) < names.index(added.pk)  # "Aaaa…" now sorts early
    _same_answers()


def test_organisations_that_cannot_be_placed_have_everything_read_again(directory, monkeypatch):
    facet_index()
    reads = _count_full_reads(monkeypatch)
    first, second = Organisation.objects.order_by(*BY_NAME)[:2]
    # Three names between two neighbours: the one free place between them is not enough.
    for letter in "abc":
        OrganisationFactory(
            name=f"{first.name} {letter}", slug=f"entre-{letter}", typology=first.typology
        )
    index = facet_index()
    assert reads == [1]
    ordered = [index.ids[p] for p in index.everything]
    assert ordered.index(first.pk) < ordered.index(second.pk)
    _same_answers()


def test_a_catalogue_change_has_everything_read_again(directory):
    before = facet_index()
    theme = Theme.objects.first()
    theme.name = "Thème renommé"
    theme.save()
    after = facet_index()
    assert all(after.values["typology"][k] is not b for k, b in before.values["typology"].items())
