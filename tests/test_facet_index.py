"""The public list's in-memory index answers exactly what the SQL filters answer.

The Mali seed plus 400 demo organisations (drafts, private needs, several zones and
themes each), then for each query string: the same organisations in the same order on
every page, and the same facet counts, as ``OrganisationFilterSet.qs`` and the SQL facet
query give an anonymous visitor. Runs on SQLite and PostgreSQL (their sort orders differ:
the index takes its order from the database).
"""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone

from directory.facet_index import IndexedResults, Ordering, build, facet_index
from directory.facets import count_facets
from directory.filters import OrganisationFilterSet
from directory.referral import related_in_index, related_organisations
from needs.models import NeedCategory, OrganisationNeed
from networks.models import Membership
from organisations.factories import OrganisationFactory
from organisations.models import (
    Organisation,
    OrganisationZone,
    Partnership,
    Theme,
    Typology,
    Zone,
)
from organisations.visibility import visible_organisations

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
    filterset = OrganisationFilterSet(QueryDict(query), queryset=visible_organisations(None))
    assert filterset.is_valid(), filterset.errors
    return filterset


def _nonzero(counts: dict) -> dict:
    """Facets with some count (a facet nobody has is absent from the SQL's answer)."""
    return {facet: values for facet, values in counts.items() if values}


def _sql_answer(query: str) -> tuple[list[int], dict]:
    filterset = _filterset(query)
    zones = list(Zone.objects.all())
    counts = count_facets(filterset, None, zones)
    return list(filterset.qs.values_list("pk", flat=True)), _nonzero(counts)


def _index_answer(query: str) -> tuple[list[int], dict]:
    criteria = _filterset(query).form.cleaned_data
    index = facet_index()
    matches, counts = index.search(criteria)
    return index.page(matches, Ordering.of(criteria), 0, len(matches)), _nonzero(counts)


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
        "q": [
            "migrants",
            "migrants de retour",
            "de",
            "ségou",
            "KAYES",
            "grdr",
            "ame",
            "retour femmes",
            "zzz",
        ],
        "verified": ["recent", "due"],
        "sort": ["name", "-updated", "-verified"],
    }


FIXED_QUERIES = [
    "",
    "q=migrants+de+retour",
    "q=GRDR",  # an exact acronym comes first
    "q=grdr&sort=name",
    "q=association&sort=-updated",
    "sort=-updated",
    "sort=-verified",
    "verified=recent",
    "verified=due&sort=-verified",
    "verified=recent&verified=due&q=association",
    "q=!!!",  # no word: narrows nothing
    "q=tilé-coura",
    "q=zzzzzz",
]


@pytest.mark.parametrize("query", FIXED_QUERIES)
def test_it_gives_the_sql_answer(directory, query):
    assert _index_answer(query) == _sql_answer(query)


def test_it_gives_the_sql_answer_for_random_combinations(directory):
    values = _values()
    rng = random.Random(2026)
    sizes = []
    for _ in range(60):
        query = QueryDict(mutable=True)
        for name in rng.sample(sorted(values), rng.randint(1, 4)):
            query.setlist(name, rng.sample(values[name], min(len(values[name]), rng.randint(1, 2))))
        if len(query.getlist("sort")) > 1 or len(query.getlist("q")) > 1:
            query.setlist("sort", query.getlist("sort")[:1])
            query.setlist("q", query.getlist("q")[:1])
        ids, counts = _index_answer(query.urlencode())
        assert (ids, counts) == _sql_answer(query.urlencode()), query.urlencode()
        sizes.append(len(ids))
    # Not a run of empty lists: most combinations find organisations.
    assert sum(1 for size in sizes if size) >= 30, sizes


def test_it_counts_the_organisations_of_a_zone_and_everything_below_it(directory):
    kayes = Zone.objects.get(iso_code="ML-1")
    _ids, counts = _index_answer("")
    in_kayes = Organisation.objects.published().in_zone(kayes).count()
    assert in_kayes > 0
    assert counts["zone"][kayes.pk] == in_kayes


def test_a_page_reads_only_its_organisations(directory, django_assert_num_queries):
    criteria = _filterset("q=migrants").form.cleaned_data
    index = facet_index()
    matches, _counts = index.search(criteria)
    results = IndexedResults(index, matches, Ordering.of(criteria), Organisation.objects.all())
    expected = list(_filterset("q=migrants").qs.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        deep = results[len(results) - 25 : len(results) - 5]
    assert [o.pk for o in deep] == expected[-25:-5]


def test_it_is_rebuilt_after_a_write_in_this_process(directory):
    before = facet_index()
    OrganisationFactory(name="Zzyzx nouvelle", slug="zzyzx").refresh_search_text()
    after = facet_index()
    assert after is not before
    matches, _counts = after.search({"q": "zzyzx"})
    assert [after.ids[p] for p in matches] == [Organisation.objects.get(slug="zzyzx").pk]
    assert facet_index() is after  # no write since: the same index


def test_it_holds_public_needs_and_published_organisations_only(directory):
    index = build()
    published = set(Organisation.objects.published().values_list("pk", flat=True))
    assert set(index.ids) == published
    public = set(
        OrganisationNeed.objects.filter(is_public=True, organisation__in=published).values_list(
            "organisation_id", "category_id"
        )
    )
    held = {
        (index.ids[p], category)
        for category, positions in index.values["need"].items()
        for p in positions
    }
    assert held == public


def test_it_gives_the_referrals_the_sql_gives(directory):
    published = Organisation.objects.published().prefetch_related(
        "theme_links", Prefetch("zone_links", OrganisationZone.objects.select_related("zone"))
    )
    index = facet_index()
    compared = 0
    for organisation in published.order_by("pk")[::10]:
        by_sql = related_organisations(organisation, Organisation.objects.published())
        by_index = related_in_index(organisation, index)
        assert [(r.organisation.pk, r.shared_themes, r.zone_score) for r in by_index] == [
            (r.organisation.pk, r.shared_themes, r.zone_score) for r in by_sql
        ], organisation.slug
        compared += bool(by_sql)
    assert compared >= 20  # organisations with referrals, not only empty lists
