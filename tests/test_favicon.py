"""Public pages and the admin show the site's icon, served from the site's static files."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["/", "/en/organisations/", "/admin/login/"])
def test_it_links_an_icon_the_site_serves(client, address):
    page = client.get(address).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert icon == "/static/favicon.svg"
    response = client.get(icon)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<svg")
