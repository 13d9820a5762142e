"""Hostile query strings on every public URL (the directory's pages and the export downloads,
in French and English): the answer is 200, 400 or 404, never a server error, and nothing sent
comes back as live markup.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory import urls as directory_urls
from directory.filters import OrganisationFilterSet
from exports import urls as export_urls
from networks.factories import NetworkFactory
from organisations.factories import OrganisationFactory, RegionFactory, ThemeFactory
from tests.fuzzing import repeatable
from tests.public_urls import directory_page_urls, export_download_urls

ACCEPTED_STATUSES = {200, 400, 404}
PARAMETERS = [*OrganisationFilterSet.base_filters, "page", "sep", "format", "lang", "utm_source"]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
NASTY_VALUES = [
    *MARKUP,
    "' OR 1=1 --",
    "1; DROP TABLE organisations_organisation; --",
    '") OR ("1"="1',
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "3.5",
    "",
    " ",
    "%00",
    "../../etc/passwd",
    "é" * 500,
    "\ufffd",
    "\u202e\u0000\uffff",
    "{{ 7*7 }}",
    "inconnu",
]
PAGE_VALUES = ["-1", "0", "1", "2", "last", "999999", "9" * 30, "1.5", "NaN"]


@pytest.fixture(name="public_objects")
def public_objects_fixture(db):
    zone = RegionFactory(name="Kayes")
    theme = ThemeFactory(name="Migration de retour")
    organisation = OrganisationFactory(
        name="Association Jeunesse Kayes", zones=[zone], themes=[theme]
    )
    network = NetworkFactory(name="Réseau des associations de Kayes", members=[organisation])
    return {"organisation": organisation, "network": network, "theme": theme, "zone": zone}


def _public_urls(objects) -> list[str]:
    return directory_page_urls(objects) + export_download_urls()


def _check(client, url: str, query: dict[str, list[str]]) -> None:
    response = client.get(url, query)
    assert response.status_code in ACCEPTED_STATUSES, (url, query, response.status_code)
    body = b"".join(response) if response.streaming else response.content
    content_type = response["Content-Type"]
    if content_type.startswith("text/plain"):
        # The exports' 400 names the refused values as plain text, which a browser told
        # not to sniff never runs as markup.
        assert response["X-Content-Type-Options"] == "nosniff", url
        return
    assert "html" in content_type or response.status_code == 200, (url, content_type)
    for fragment in MARKUP:
        if any(fragment in value for values in query.values() for value in values):
            assert fragment.encode() not in body, (url, query)
            assert b"<img src=x" not in body and b"<script>alert" not in body, (url, query)


def test_it_covers_every_directory_and_export_url(public_objects):
    urls = _public_urls(public_objects)
    assert "/organisations/" in urls and "/en/organisations/" in urls
    assert "/exports/annuaire.xlsx" in urls and "/en/exports/hsds.zip" in urls
    assert len(urls) == 2 * (len(directory_urls.urlpatterns) + len(export_urls.urlpatterns) + 2)


@pytest.mark.parametrize("value", NASTY_VALUES)
def test_every_parameter_with_a_nasty_value_on_every_url(client, public_objects, value):
    query = {name: [value] for name in PARAMETERS}
    for url in _public_urls(public_objects):
        _check(client, url, query)


def test_repeated_conflicting_and_unknown_parameters(client, public_objects):
    query = {
        **{name: ["inconnu", *MARKUP, "' OR 1=1 --", "-1"] for name in PARAMETERS},
        "page": PAGE_VALUES,
        "<script>alert(1)</script>": ["1"],
        "x" * 1000: MARKUP,
    }
    for url in _public_urls(public_objects):
        _check(client, url, query)


@pytest.mark.parametrize("page", PAGE_VALUES)
def test_page_numbers_of_every_kind_on_the_lists(client, public_objects, page):
    for url in ("/organisations/", "/en/organisations/", "/reseaux/", "/themes/"):
        _check(client, url, {"page": [page], "q": ["Kayes"]})


_values = st.one_of(
    st.sampled_from(NASTY_VALUES + PAGE_VALUES),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@repeatable(60)
@given(
    data=st.data(),
    query=st.dictionaries(
        st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=12)),
        st.lists(_values, min_size=1, max_size=3),
        max_size=6,
    ),
)
def test_generated_query_strings(client, public_objects, data, query):
    url = data.draw(st.sampled_from(_public_urls(public_objects)), label="url")
    _check(client, url, query)
