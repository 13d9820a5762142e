"""Catalogue import and export (django-import-export) in the admin, on the Mali seed.

The seed is loaded once for the module inside a transaction rolled back at the end.
"""

import csv
import io

import pytest
import tablib
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.roles import EDITORS, VIEWERS
from needs.models import NeedActivity, NeedCategory
from needs.resources import NeedActivityResource, NeedCategoryResource
from networks.models import Network
from networks.resources import NetworkResource
from organisations.models import Partner, Theme, ThemeGroup, Typology, Zone
from organisations.resources import (
    PartnerResource,
    ThemeGroupResource,
    ThemeResource,
    TypologyResource,
    ZoneResource,
)
from tests.test_seed_mali import seeded  # noqa: F401 (autouse: the Mali seed for this module)

pytestmark = pytest.mark.django_db

CATALOGUES = [
    (ZoneResource, Zone, 116),
    (TypologyResource, Typology, 7),
    (ThemeGroupResource, ThemeGroup, 1),
    (ThemeResource, Theme, 10),
    (PartnerResource, Partner, 29),
    (NetworkResource, Network, 23),
    (NeedCategoryResource, NeedCategory, 5),
    (NeedActivityResource, NeedActivity, 29),
]

BURKINA_REGIONS = [
    "Boucle du Mouhoun", "Cascades", "Centre", "Centre-Est", "Centre-Nord", "Centre-Ouest",
    "Centre-Sud", "Est", "Hauts-Bassins", "Nord", "Plateau-Central", "Sahel", "Sud-Ouest",
]  # fmt: skip


def rows_of(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def csv_file(text: str, name: str = "zones.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def staff_with_role(client, django_user_model, role: str):
    user = django_user_model.objects.create_user(
        username=f"{role.lower()}-user", password="x" * 12, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def preview_import(client, model, text: str):
    """Posts the admin's import form (CSV is the first format): the preview page."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    return client.post(url, {"resource": "0", "format": "0", "import_file": csv_file(text)})


def confirm_import(client, model, preview):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import")
    return client.post(url, preview.context["confirm_form"].initial)


# -- Round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("resource_class", "model", "count"), CATALOGUES)
def test_it_imports_its_own_export_without_changing_a_row(
    resource_class, model, count, file_format
):
    before = rows_of(model)
    exported = resource_class().export().export(file_format)

    dataset = tablib.Dataset().load(exported, format=file_format)
    result = resource_class().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert (len(dataset), len(result.rows)) == (count, count)
    assert dict(result.totals) == {
        "new": 0, "update": 0, "delete": 0, "skip": count, "error": 0, "invalid": 0,
    }  # fmt: skip
    assert rows_of(model) == before


def test_it_exports_catalogues_by_natural_keys_never_database_ids():
    zones = list(csv.DictReader(io.StringIO(ZoneResource().export().csv)))
    bafoulabe = next(row for row in zones if row["name"] == "Bafoulabé")
    assert bafoulabe["level"] == "cercle"
    assert (bafoulabe["parent_code"], bafoulabe["parent_path"]) == ("ML-1", "Mali > Kayes")
    koniakary = next(row for row in zones if row["name"] == "Koniakary")
    assert (koniakary["parent_code"], koniakary["parent_path"]) == ("", "Mali > Kayes > Kayes")
    assert "id" not in zones[0]

    networks = list(csv.DictReader(io.StringIO(NetworkResource().export().csv)))
    fam = next(row for row in networks if row["slug"] == "fam")
    assert (fam["organisation"], fam["source"], fam["level"]) == (
        "fam",
        "mali-2022-t11",
        "national",
    )
    migrafrique = next(row for row in networks if row["acronym"] == "MIGRAFRIQUE")
    assert set(migrafrique["countries"].split(",")) == {
        "ML", "BF", "CI", "BJ", "GN", "MR", "NE", "TG", "SN",
    }  # fmt: skip

    activities = list(csv.DictReader(io.StringIO(NeedActivityResource().export().csv)))
    assert list(activities[0]) == ["category", "position", "subgroup", "name", "name_en"]
    assert (activities[0]["category"], activities[0]["position"]) == (
        NeedCategory.objects.order_by("position").first().slug,
        "1",
    )


def test_it_updates_a_changed_row_found_by_its_slug_and_leaves_the_others():
    exported = list(csv.DictReader(io.StringIO(ThemeResource().export().csv)))
    exported[0]["name_en"] = "Renamed in a spreadsheet"
    dataset = tablib.Dataset(headers=list(exported[0]))
    for row in exported:
        dataset.append(list(row.values()))

    result = ThemeResource().import_data(dataset, dry_run=False)

    assert (result.totals["update"], result.totals["skip"]) == (1, 9)
    assert Theme.objects.get(slug=exported[0]["slug"]).name_en == "Renamed in a spreadsheet"


def test_it_exports_zones_from_the_admin_and_takes_the_file_back_unchanged(
    staff_client, django_assert_max_num_queries
):
    fields = {f"zoneresource_{name}": "on" for name in ZoneResource().get_export_order()}
    with django_assert_max_num_queries(4):  # not one per zone
        exported = staff_client.post(
            reverse("admin:organisations_zone_export"), {"resource": "0", "format": "0", **fields}
        )
    assert exported.status_code == 200
    text = exported.content.decode("utf-8")
    assert text.splitlines()[0] == (
        "code,name,name_en,level,parent_code,parent_path,iso_code,iso_numeric,aliases,"
        "latitude,longitude"
    )
    zones_before = rows_of(Zone)

    preview = preview_import(staff_client, Zone, text)

    assert dict(preview.context["result"].totals) == {
        "new": 0, "update": 0, "delete": 0, "skip": 116, "error": 0, "invalid": 0,
    }  # fmt: skip
    assert confirm_import(staff_client, Zone, preview).status_code == 302
    assert rows_of(Zone) == zones_before


# -- Another country's administrative tree, through the admin -----------------------------


def test_it_loads_burkina_faso_regions_with_their_codes_through_the_admin(staff_client):
    lines = ["code,name,level,parent_code"] + [
        f"BF-{number:02d},{name},region,BF" for number, name in enumerate(BURKINA_REGIONS, 1)
    ]
    preview = preview_import(staff_client, Zone, "\n".join(lines))

    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert preview.context["result"].totals["new"] == 13
    assert not Zone.objects.filter(official_code__startswith="BF-").exists()  # a preview only

    done = confirm_import(staff_client, Zone, preview)

    assert done.status_code == 302
    burkina = Zone.objects.get(iso_code="BF")
    regions = Zone.objects.filter(parent=burkina).order_by("official_code")
    assert [(z.official_code, z.name, z.level) for z in regions] == [
        (f"BF-{number:02d}", name, "region") for number, name in enumerate(BURKINA_REGIONS, 1)
    ]
    assert all(zone.path == f"{burkina.path}{zone.pk}/" for zone in regions)
    assert Zone.objects.get(official_code="BF-09") in Zone.objects.within(burkina)


def test_it_reads_an_ocha_cod_ab_table_and_places_each_unit_under_its_parent(staff_client):
    table = "\n".join(
        [
            "ADM0_PCODE,ADM0_FR,ADM1_PCODE,ADM1_FR,ADM2_PCODE,ADM2_FR,ADM2_EN",
            "NE,Niger,NE001,Agadez,NE001001,Arlit,Arlit",
            "NE,Niger,NE001,Agadez,NE001002,Bilma,Bilma",
            "NE,Niger,NE002,Diffa,NE002001,Diffa,Diffa",
        ]
    )
    preview = preview_import(staff_client, Zone, table)
    assert preview.context["result"].totals["new"] == 5  # the country exists: updated
    confirm_import(staff_client, Zone, preview)

    niger = Zone.objects.get(iso_code="NE")
    assert niger.official_code == "NE"
    units = Zone.objects.filter(official_code__startswith="NE0").select_related("parent")
    assert {(z.official_code, z.name, z.level, z.parent.official_code) for z in units} == {
        ("NE001", "Agadez", "region", "NE"),
        ("NE002", "Diffa", "region", "NE"),
        ("NE001001", "Arlit", "cercle", "NE001"),
        ("NE001002", "Bilma", "cercle", "NE001"),
        ("NE002001", "Diffa", "cercle", "NE002"),
    }


def test_it_finds_a_parent_by_its_path_when_no_code_is_given(staff_client):
    text = "code,name,level,parent_path\n,Kayes N'di,commune,Mali > Kayes > Kayes\n"
    confirm_import(staff_client, Zone, preview_import(staff_client, Zone, text))

    commune = Zone.objects.get(name="Kayes N'di")
    assert (commune.level, commune.parent.level, commune.parent.parent.iso_code) == (
        "commune",
        "cercle",
        "ML-1",
    )


def test_it_shows_each_bad_row_in_french_and_imports_nothing(staff_client):
    zones_before = rows_of(Zone)
    text = "\n".join(
        [
            "code,name,level,parent_code",
            "BF-01,Boucle du Mouhoun,region,BF",
            "BF-02,Cascades,region,XX-99",
            "BF-03,,region,BF",
            "BF-04,Centre-Est,province,BF",
        ]
    )
    preview = preview_import(staff_client, Zone, text)

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    page = preview.content.decode()
    assert "Aucune zone n’a le code « XX-99 »." in page
    assert "Ce champ ne peut pas être vide." in page
    assert (
        "« province » n’est pas l’une de ces valeurs : "
        "country, region, cercle, commune, locality, territory." in page
    )
    invalid = {row.number for row in preview.context["result"].invalid_rows}
    assert invalid == {2, 3, 4}
    assert rows_of(Zone) == zones_before


def test_it_refuses_a_number_that_is_not_one_and_an_unknown_slug(staff_client):
    text = "slug,name,position,group,source\nnew-theme,Nouveau,deux,nobody,mali-2022-t5\n"
    preview = preview_import(staff_client, Theme, text)

    page = preview.content.decode()
    assert "« deux » n’est pas un nombre." in page
    assert "Introuvable parmi les groupes de thèmes : « nobody »." in page
    assert not Theme.objects.filter(slug="new-theme").exists()


# -- Who may import ------------------------------------------------------------------------


def test_it_lets_only_staff_who_may_add_and_change_import(client, django_user_model):
    viewer = staff_with_role(client, django_user_model, VIEWERS)
    zones = reverse("admin:organisations_zone_changelist")
    assert viewer.get(zones).status_code == 200
    assert viewer.get(reverse("admin:organisations_zone_import")).status_code == 403
    refused = preview_import(viewer, Zone, "code,name,level,parent_code\nBF-01,Centre,region,BF")
    assert refused.status_code == 403
    assert not Zone.objects.filter(official_code="BF-01").exists()
    # Viewers may still export what they may read.
    assert viewer.get(reverse("admin:organisations_zone_export")).status_code == 200


def test_it_lets_editors_import_partners_but_not_zones(client, django_user_model):
    editor = staff_with_role(client, django_user_model, EDITORS)
    assert editor.get(reverse("admin:organisations_zone_import")).status_code == 403
    assert editor.get(reverse("admin:organisations_partner_import")).status_code == 200


def test_it_refuses_a_network_country_it_does_not_know_rather_than_dropping_it():
    exported = list(csv.DictReader(io.StringIO(NetworkResource().export().csv)))
    fam = next(row for row in exported if row["slug"] == "fam")
    fam["countries"] = "ML,XX"
    dataset = tablib.Dataset(list(fam.values()), headers=list(fam))

    result = NetworkResource().import_data(dataset, dry_run=False)

    assert [row.error_dict for row in result.invalid_rows] == [
        {
            "countries": [
                "Introuvable parmi les zones : « XX ». Créez d’abord cette entrée ou "
                "corrigez la cellule."
            ]
        }
    ]
    assert not Network.objects.get(slug="fam").countries.exists()


def test_it_writes_formula_like_cells_as_text_and_reads_them_back_unchanged():
    Partner.objects.filter(slug="afd").update(name='=HYPERLINK("http://x")', description="-1")
    before = rows_of(Partner)
    exported = PartnerResource().export()
    afd = next(row for row in exported.dict if row["slug"] == "afd")
    assert (afd["name"], afd["description"]) == ('\'=HYPERLINK("http://x")', "'-1")

    dataset = tablib.Dataset().load(exported.csv, format="csv")
    result = PartnerResource().import_data(dataset, dry_run=False)

    assert result.totals["skip"] == 29
    assert rows_of(Partner) == before
