"""The download links carry the list's filters."""

import pytest
from django.template.loader import render_to_string

from tests.export_world import build_export_world


@pytest.mark.django_db
def test_every_link_keeps_the_filters_and_downloads_what_the_list_shows(client):
    world = build_export_world()
    query_string = f"zone={world.kayes.pk}&theme=protection"
    html = render_to_string("includes/export_links.html", {"query_string": query_string})
    query = query_string.replace("&", "&amp;")
    for url in (
        f"/exports/annuaire.xlsx?{query}",
        f"/exports/annuaire.csv?{query}",
        f"/exports/annuaire.csv?{query}&amp;sep=semicolon",
        f"/exports/organisations.csv?{query}",
        f"/exports/organisations.xlsx?{query}",
        f"/exports/organisations-hxl.csv?{query}",
        f"/exports/hsds.zip?{query}",
    ):
        assert f'href="{url}"' in html
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        assert "kayes" in response["Content-Disposition"]
