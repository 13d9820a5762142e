"""The Mali 2022 seed, checked table by table against the report.

The seed is loaded once for the module inside a transaction that is rolled back at the end,
so the other test modules start from an empty database.
"""

import itertools
import json
import re
import shutil
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from common.text import fold
from needs.models import NeedActivity, NeedCategory
from networks.models import Membership, Network
from organisations import seed
from organisations.models import (
    Acronym,
    ContactChannel,
    Organisation,
    OrganisationAlias,
    Partner,
    Partnership,
    Source,
    Theme,
    Typology,
    Zone,
    ZoneIndicator,
)


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed.load_mali_seed()
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def zones_of(slug: str) -> set[tuple[str, str]]:
    return {(z.name, z.level) for z in org(slug).zones.all()}


def zone(path: str) -> Zone:
    *parents, name = path.split("/")
    found = Zone.objects.get(name=parents[0], level="country") if parents else None
    for part in parents[1:]:
        found = Zone.objects.get(parent=found, name=part)
    if found is None:
        return Zone.objects.get(name=name, level="country")
    return Zone.objects.get(parent=found, name=name)


def channels(slug: str, kind: str) -> list[str]:
    return list(org(slug).channels.filter(kind=kind).values_list("value", flat=True))


# -- Sources ---------------------------------------------------------------------------


def test_every_table_has_its_source():
    t13 = Source.objects.get(code="mali-2022-t13")
    assert (t13.document, t13.section, t13.year, t13.kind) == (
        "Synthèse nationale Mali 2022",
        "Tableau 13",
        2022,
        "report",
    )
    codes = set(Source.objects.values_list("code", flat=True))
    assert {f"mali-2022-t{n}" for n in range(1, 14)} <= codes


def test_every_seeded_organisation_is_published_and_has_a_source():
    assert Organisation.objects.count() == 44
    assert Organisation.objects.published().count() == 44
    assert not Organisation.objects.filter(source__isnull=True).exists()


# -- Places ------------------------------------------------------------------------------


def test_mali_has_ten_regions_and_bamako_with_iso_codes_and_capitals():
    mali = Zone.objects.get(iso_code="ML")
    regions = Zone.objects.filter(parent=mali, level="region")
    assert regions.count() == 11
    assert set(regions.values_list("iso_code", flat=True)) == {
        *(f"ML-{n}" for n in range(1, 11)),
        "ML-BKO",
    }
    bamako = Zone.objects.get(iso_code="ML-BKO")
    assert (bamako.name, bamako.level, bamako.latitude) == ("Bamako", "region", Decimal("12.639"))
    assert Zone.objects.get(iso_code="ML-6").name_en == "Timbuktu"


def test_mali_has_its_56_cercles_and_kayes_stays_distinct_at_each_level():
    mali = Zone.objects.get(iso_code="ML")
    assert Zone.objects.within(mali).filter(level="cercle").count() == 56
    kayes = Zone.objects.filter(name="Kayes").order_by("path")
    assert [(z.level, z.parent.name) for z in kayes] == [
        ("region", "Mali"),
        ("cercle", "Kayes"),
        ("commune", "Kayes"),
    ]
    assert zone("Mali/Kayes/Kayes/Kayes").parent.level == "cercle"
    assert zone("Mali/Kayes/Kayes/Koniakary").level == "commune"
    assert zone("Mali/Kayes/Kayes/Somankidi Coura").level == "locality"


def test_spellings_of_the_report_are_zone_aliases():
    assert "Nioro" in zone("Mali/Kayes/Nioro du Sahel").aliases.split("; ")
    assert "Bafoulabe" in zone("Mali/Kayes/Bafoulabé").aliases.split("; ")


def test_foreign_countries_carry_iso_codes_that_match_natural_earth():
    guinea = Zone.objects.get(iso_code="GN")
    assert (guinea.name, guinea.name_en, guinea.iso_numeric) == ("Guinée", "Guinea", "324")
    # The directory's Natural Earth base map names countries in English with their numeric code.
    with open(settings.BASE_DIR / "directory/data/basemap.json", encoding="utf-8") as f:
        natural_earth = {c["name"]: c["iso_numeric"] for c in json.load(f)["countries"]}
    countries = Zone.objects.countries()
    assert countries.count() == 37
    compared = {(c.name_en or c.name): c.iso_numeric for c in countries}
    on_the_map = {name: code for name, code in compared.items() if name in natural_earth}
    assert len(on_the_map) >= 30
    assert on_the_map == {name: natural_earth[name] for name in on_the_map}
    assert all(len(c.iso_code) == 2 and len(c.iso_numeric) == 3 for c in countries)
    ile_de_france = zone("France/Île-de-France")
    assert (ile_de_france.level, ile_de_france.parent.iso_code) == ("region", "FR")


# -- Tableau 2 and 6 ---------------------------------------------------------------------


def test_tableau_2_has_27_interviewed_organisations_in_six_groups():
    interviewed = Organisation.objects.filter(survey_status="interviewed")
    assert interviewed.count() == 27
    assert set(interviewed.values_list("source__code", flat=True)) == {"mali-2022-t2"}
    by_group = {
        slug: interviewed.filter(typology__slug=slug).count()
        for slug in [
            "organisations-locales",
            "associations-ong-nationales",
            "ong-internationales",
            "organisations-diasporas",
            "migrants-de-retour",
            "reseaux-plateformes",
        ]
    }
    assert by_group == {
        "organisations-locales": 4,
        "associations-ong-nationales": 9,
        "ong-internationales": 1,
        "organisations-diasporas": 5,
        "migrants-de-retour": 5,
        "reseaux-plateformes": 3,
    }


def test_tableau_2_status_becomes_legal_form_and_registration_kind():
    assert (org("cams").legal_form, org("cams").registration_kind) == ("formal", "declared")
    assert org("blaam").registration_kind == "approved"
    assert org("hcme").registration_kind == "public_utility"
    assert org("ame").registration_kind == "framework_agreement"
    aei = org("aei-mali")
    assert (aei.legal_form, aei.registration_kind) == ("informal", "de_facto")


def test_tableau_2_scope_keeps_the_source_words_and_becomes_zones_at_the_right_level():
    omrib = org("omrib")
    assert (omrib.scope, omrib.scope_detail) == (
        "cercle",
        "Local (Cercle) : Yélimané, Région de Kayes",
    )
    assert zones_of("omrib") == {("Yélimané", "cercle")}
    assert zones_of("maison-du-migrant-gao") == {
        ("Gao", "region"),
        ("Kidal", "region"),
        ("Niger", "country"),
        ("Libye", "country"),
    }
    assert ("Nioro du Sahel", "cercle") in zones_of("ohpmi")
    assert ("Bafoulabé", "cercle") in zones_of("ame")
    assert zones_of("caderkaf") == {("Île-de-France", "region"), ("Kayes", "region")}
    kayes = Zone.objects.get(iso_code="ML-1")
    assert org("omrib") in Organisation.objects.in_zone(kayes)


def test_tableau_6_zones_are_merged_with_tableau_2_and_keep_their_source():
    links = {
        link.zone.name: link.source.code
        for link in org("ramdel-mali").zone_links.select_related("zone", "source")
    }
    assert links == {
        "Bamako": "mali-2022-t2",
        "Koulikoro": "mali-2022-t2",
        "Kita": "mali-2022-t2",
        "Kayes": "mali-2022-t6",
        "Ségou": "mali-2022-t6",
        "Sikasso": "mali-2022-t6",
        "Kidal": "mali-2022-t6",
    }


def test_tableau_6_only_organisations_are_mentioned_not_interviewed():
    only_t6 = Organisation.objects.filter(source__code="mali-2022-t6")
    assert set(only_t6.values_list("slug", "survey_status")) == {
        ("direy-ben", "mentioned"),
        ("endam-diombougou", "mentioned"),
        ("agdf", "mentioned"),
        ("acds", "mentioned"),
        ("association-migrants-retour-kayes", "mentioned"),
    }
    assert ("Koniakary", "commune") in zones_of("endam-diombougou")
    assert zones_of("agdf") == {("Guidimakha", "territory"), ("France", "country")}


def test_guidimakha_and_diombougou_are_territories_of_the_cercle_of_kayes():
    for name in ["Guidimakha", "Diombougou"]:
        territory = zone(f"Mali/Kayes/Kayes/{name}")
        assert (territory.level, territory.parent.level) == ("territory", "cercle")
        territory.full_clean()


OFFICIAL_ORDER = [
    "Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao", "Kidal", "Ménaka",
    "Taoudénit", "Bamako",
]  # fmt: skip


def test_the_zone_facet_lists_mali_then_its_regions_by_official_code(client):
    page = client.get("/organisations/").content.decode()
    options = re.findall(
        r'<div class="option( sub)?"><input type="checkbox" name="zone"[^>]*><label[^>]*>([^<]+) <',
        page,
    )
    assert options[0] == ("", "Mali")
    mali_regions = [name for _sub, name in itertools.takewhile(lambda o: o[0], options[1:])]
    assert mali_regions == [name for name in OFFICIAL_ORDER if name in mali_regions]
    assert len(mali_regions) >= 8
    assert not {"Guidimakha", "Diombougou"} & {name for _sub, name in options}


def test_the_home_page_counts_regions_per_country(client):
    page = client.get("/").content.decode()
    covered = [
        region
        for region in Zone.objects.filter(parent=zone("Mali"), level="region")
        if Organisation.objects.filter(zones__path__startswith=region.path).exists()
    ]
    assert len(covered) == 10
    assert re.search(r"<strong>10</strong>\s*régions couvertes \(Mali\)", page)
    assert re.search(r"<strong>1</strong>\s*région couverte \(France\)", page)


def test_spellings_of_one_organisation_are_aliases_with_their_source():
    aliases = {
        (a.organisation.slug, a.name): a.source.code
        for a in OrganisationAlias.objects.select_related("organisation", "source")
    }
    assert aliases[("camarci", "CAMRCI")] == "mali-2022-t13"
    assert aliases[("gram", "Groupe Recherche et d'Actions sur la Migration")] == "mali-2022-t13"
    assert aliases[("maison-du-migrant-gao", "Maison du Migrant")] == "mali-2022-t5"
    assert aliases[("grdr", "Grdr")] == "mali-2022-t2"
    assert aliases[("blaam", "BLoc d'Aide et d'Accompagnement des Migrants")] == "mali-2022-t2"
    assert org("grdr").name == "Grdr Migration Citoyenneté-Développement"


def test_an_alias_finds_the_organisation_by_search():
    found = Organisation.objects.filter(search_text__contains=fold("CAMRCI"))
    assert list(found.values_list("slug", flat=True)) == ["camarci"]


# -- Tableau 5 ---------------------------------------------------------------------------


def test_tableau_5_has_ten_themes_in_their_group():
    themes = Theme.objects.filter(group__slug="themes-specialises-mali-2022")
    assert themes.count() == 10
    assert themes.first().group.name == "Thèmes spécialisés (Tableau 5)"
    assert set(themes.values_list("source__code", flat=True)) == {"mali-2022-t5"}


def test_a_theme_links_the_organisations_of_its_cell():
    returnees = Theme.objects.get(name="Accueil, assistance et réinsertion des migrants de retour")
    assert set(returnees.organisations.values_list("slug", flat=True)) == {
        "ame",
        "artd",
        "blaam",
        "mahm",
        "camarci",
        "amarc",
        "enda-mali",
        "ohpmi",
    }
    transit = Theme.objects.get(slug="assistance-migrants-transit")
    assert {"maison-du-migrant-gao", "direy-ben"} <= set(
        transit.organisations.values_list("slug", flat=True)
    )


def test_tableau_5_only_organisations_are_mentioned_records():
    only_t5 = Organisation.objects.filter(source__code="mali-2022-t5")
    assert set(only_t5.values_list("acronym", "name")) >= {
        ("CAFO", "Coordination des Associations et ONG Féminines"),
        ("", "Association Baara Muso"),
    }
    assert only_t5.count() == 10
    assert set(only_t5.values_list("survey_status", flat=True)) == {"mentioned"}
    assert org("save-the-children").typology.slug == "ong-internationales"


# -- Tableau 13 --------------------------------------------------------------------------


def test_tableau_13_has_23_organisations_with_a_seat():
    in_annuaire = Organisation.objects.filter(offices__source__code="mali-2022-t13").distinct()
    assert in_annuaire.count() == 23
    assert not in_annuaire.filter(survey_status="mentioned").exists()
    assert all(o.offices.filter(kind="seat").count() == 1 for o in in_annuaire)


def test_every_phone_is_its_own_e164_number():
    assert channels("ame", "phone") == ["+22320241122", "+22366772111", "+22371003000"]
    assert channels("maison-du-migrant-gao", "phone") == ["+22387313308", "+22376342743"]
    assert channels("ajdm", "phone") == ["+22344420671", "+22376434731"]
    assert channels("sfa", "phone") == ["+33630295806"]
    for channel in ContactChannel.objects.filter(kind="phone", to_verify=False):
        channel.full_clean()
    assert "Tél" not in org("ame").offices.get().address


def test_every_email_is_its_own_channel():
    assert channels("grdr", "email") == ["grdr@grdr.org", "kayes@grdr.org"]
    assert channels("gram", "email") == ["mali@gram-inter.org", "deyossaa@gmail.com"]
    assert channels("caderkaf", "email") == []


def test_wrong_values_are_kept_as_written_and_flagged():
    hcme_phone = org("hcme").channels.get(kind="phone")
    assert (hcme_phone.value, hcme_phone.to_verify) == ("+ 223 2202056", True)
    assert "Seven digits" in hcme_phone.verification_note
    ajdm_email = org("ajdm").channels.get(kind="email")
    assert (ajdm_email.value, ajdm_email.to_verify) == ("ajdmorga@yahoofr", True)
    assert ContactChannel.objects.filter(to_verify=True).count() == 2


def test_website_column_becomes_site_status_or_social_link():
    assert channels("ame", "website") == ["www.expulsesmaliens.info"]
    assert (org("hcme").website_status, channels("hcme", "website")) == ("none", [])
    assert org("artd").website_status == "not_functional"
    social = org("blaam").channels.get(kind="social")
    assert (social.value, social.label) == ("BLAAM Mali", "Facebook")
    gram_site = org("gram").channels.get(kind="website")
    assert (gram_site.value, gram_site.label) == ("www.gram-inter.org", "site en construction")


def test_sfa_has_a_seat_in_france_and_an_office_in_bamako():
    offices = {(o.kind, o.zone.name) for o in org("sfa").offices.select_related("zone")}
    assert offices == {("seat", "Île-de-France"), ("office", "Bamako")}


def test_member_counts_leave_the_name_for_member_fields():
    fam = org("fam")
    assert (fam.name, fam.members_organisations) == ("Fédération des Associations de Migrants", 34)
    assert fam.members_note == "34 associations maliennes légalement reconnues"
    assert org("ramdel-mali").members_organisations == 57
    assert org("fecam").members_countries == 20
    assert org("hcme").members_countries == 77


# -- Tableau 11 --------------------------------------------------------------------------


def test_tableau_11_networks_by_level():
    t11 = Network.objects.filter(source__code="mali-2022-t11")
    counts = {level: t11.filter(level=level).count() for level in Network.Level.values}
    assert counts == {"national": 7, "african": 8, "international": 7}


def test_tableau_11_member_counts_formality_and_kind():
    emdk = Network.objects.get(acronym="EMDK")
    assert (emdk.member_count, emdk.formality) == (161, "informal")
    forim = Network.objects.get(acronym="FORIM")
    assert (forim.member_count, forim.member_count_is_approximate) == (1000, True)
    assert forim.website == "https://forim.net/"
    assert Network.objects.get(acronym="PIMM").formality == "informal"
    framework = Network.objects.get(slug="cadre-concertation-national-migration")
    assert (framework.kind, framework.level) == ("consultation_framework", "national")
    migrafrique = Network.objects.get(acronym="MIGRAFRIQUE")
    assert set(migrafrique.countries.values_list("iso_code", flat=True)) == {
        "ML",
        "BF",
        "CI",
        "BJ",
        "GN",
        "MR",
        "NE",
        "TG",
        "SN",
    }


def test_networks_that_are_organisations_of_the_directory():
    records = dict(
        Network.objects.filter(organisation__isnull=False).values_list(
            "acronym", "organisation__slug"
        )
    )
    assert records == {"FAM": "fam", "RAMDEL-Mali": "ramdel-mali", "AEI": "aei-mali"}


def test_the_only_stated_membership_is_the_csdm_in_the_cnsc():
    membership = Membership.objects.get()
    assert (membership.organisation.slug, membership.network.acronym) == ("csdm", "CNSC")
    assert membership.source.code == "mali-2022-ch3"


# -- Tableaux 3, 4, 7, 9, 10 -------------------------------------------------------------


def test_typologies_carry_their_table_and_english_name():
    assert Typology.objects.count() == 7
    assert not Typology.objects.filter(name_en="").exists()
    family = Typology.objects.get(slug="associations-ong-nationales-et-internationales")
    assert set(family.subgroups.values_list("slug", flat=True)) == {
        "associations-ong-nationales",
        "ong-internationales",
    }
    local = Typology.objects.get(slug="organisations-locales")
    assert (local.source.code, local.financial_capacity_bands) == ("mali-2022-t3", "under_5k")
    assert local.problems.splitlines()[0] == (
        "Faible compétence dans l'élaboration des projets en langue française"
    )
    international = Typology.objects.get(slug="ong-internationales")
    assert international.financial_capacity_bands == "over_100k"
    assert international.parent == family
    returnees = Typology.objects.get(slug="migrants-de-retour")
    assert returnees.source.code == "mali-2022-t9"
    assert len(returnees.added_value.splitlines()) == 2
    networks = Typology.objects.get(slug="reseaux-plateformes")
    assert networks.financial_capacity_bands == "under_5k,5k_100k,over_100k"


# -- Tableau 12 --------------------------------------------------------------------------


def test_tableau_12_needs_catalogue():
    categories = NeedCategory.objects.order_by("position")
    assert categories.count() == 5
    assert [c.activities.count() for c in categories] == [15, 5, 2, 3, 4]
    first = categories.first()
    assert first.name == (
        "Appuis institutionnel, technique, financier et logistique (individuel et collectif)"
    )
    subgroups = first.activities.order_by("position").values_list("subgroup", flat=True)
    assert list(dict.fromkeys(subgroups)) == [
        "Appuis institutionnel",
        "Appuis techniques",
        "Appuis financiers",
        "Appuis Logistiques",
    ]
    names = " ".join(NeedActivity.objects.values_list("name", flat=True))
    assert "<" not in names and "&amp;" not in names and "•" not in names
    law = NeedActivity.objects.get(
        name="Renforcement de capacités des OSC au droit international humanitaire"
    )
    assert law.name_en == "Capacity building of CSOs in international humanitarian law"
    assert not NeedActivity.objects.filter(name_en="").exists()


# -- Tableaux 1 and 8 --------------------------------------------------------------------


def indicator(path: str, name: str) -> ZoneIndicator:
    return ZoneIndicator.objects.get(zone=zone(path), indicator=name)


def test_tableau_1_internal_migrants_by_region():
    bamako = indicator("Mali/Bamako", "internal_migrants")
    assert (bamako.value, bamako.reference_year) == (Decimal("281580"), 2009)
    assert (bamako.data_source, bamako.source.code) == ("RGPH 2009, INSTAT", "mali-2022-t1")
    assert indicator("Mali/Kidal", "internal_migrants_male").value == Decimal("64.9")
    assert indicator("Mali/Koulikoro", "internal_migrants_share").value == Decimal("20.50")
    assert indicator("Mali", "internal_migrants").value == Decimal("808845")
    assert ZoneIndicator.objects.filter(source__code="mali-2022-t1").count() == 40


def test_tableau_8_shares_by_region_of_origin():
    assert indicator("Mali/Kayes", "emigrants_france").value == Decimal("77.4")
    gao = indicator("Mali/Gao", "associations_france")
    assert (gao.value, gao.reference_year) == (Decimal("0.03"), 2011)
    assert gao.data_source.startswith("EMOP 2011")
    assert ZoneIndicator.objects.filter(source__code="mali-2022-t8").count() == 32


# -- Partners and acronyms ---------------------------------------------------------------


def test_partners_of_the_introduction_and_the_text_with_their_kind():
    kinds = dict(Partner.objects.values_list("acronym", "kind").exclude(acronym=""))
    assert kinds["BAD"] == "african"
    assert kinds["GIZ"] == "bilateral"
    assert kinds["OIM"] == "un"
    assert kinds["UE"] == "eu"
    assert kinds["DRC"] == "ngo"
    ile_de_france = Partner.objects.get(slug="region-ile-de-france")
    assert (ile_de_france.kind, ile_de_france.country.iso_code) == ("local_government", "FR")


def test_partnerships_the_text_states():
    pairs = set(Partnership.objects.values_list("organisation__slug", "partner__slug"))
    assert {("grdr", "afd"), ("ame", "afd"), ("grdr", "conseil-regional-kayes")} <= pairs
    assert len(pairs) == 7


def test_acronym_glossary_finds_what_an_acronym_stands_for():
    assert Acronym.objects.count() == 108
    assert Acronym.objects.get(acronym="FORIM").expansion == (
        "Forum des Organisations de Solidarité Internationale issues des Migrations"
    )
    roa = Acronym.objects.get(acronym="ROA-PRODMAC")
    assert roa.expansion.endswith("Demandeurs d'Asile et de Libre Circulation")
    assert not Acronym.objects.filter(acronym__in=["ROA-", "PRODMAC"]).exists()


# -- Idempotency and bad input -----------------------------------------------------------


def dump_all_rows() -> dict[str, list[dict]]:
    """Every row of every model of the seeded apps, history tables included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in ("organisations", "networks", "needs")
        for model in apps.get_app_config(label).get_models()
    }


def test_a_second_run_changes_no_row_and_adds_no_history(capsys, django_assert_max_num_queries):
    before = dump_all_rows()
    history_before = Organisation.history.count()
    # One read per table, whatever the number of rows.
    with django_assert_max_num_queries(32):
        call_command("seed_mali")
    assert "already up to date" in capsys.readouterr().out
    assert dump_all_rows() == before
    assert Organisation.history.count() == history_before


def test_a_broken_fixture_stops_the_load_and_changes_nothing(tmp_path, monkeypatch):
    broken = tmp_path / "mali-2022"
    shutil.copytree(seed.FIXTURE_DIR, broken)
    organisations = broken / "organisations.yaml"
    organisations.write_text(
        organisations.read_text(encoding="utf-8").replace(
            "name: Association Malienne des Expulsés", "name: Renamed by a broken fixture"
        ),
        encoding="utf-8",
    )
    themes = broken / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace("[hcme, csdm]", "[hcme, nobody]"),
        encoding="utf-8",
    )
    monkeypatch.setattr(seed, "FIXTURE_DIR", broken)
    before = dump_all_rows()
    with pytest.raises(CommandError, match="unknown organisation 'nobody'"):
        call_command("seed_mali")
    assert dump_all_rows() == before
    assert org("ame").name == "Association Malienne des Expulsés"


def test_a_cercle_staff_moved_to_a_new_region_is_not_seeded_again():
    # The 2023 frame makes Nioro a region: staff create it and move the cercle under it.
    mali = Zone.objects.get(iso_code="ML")
    nioro_region = Zone.objects.create(name="Nioro", level="region", parent=mali)
    cercle = zone("Mali/Kayes/Nioro du Sahel")
    cercle.parent = nioro_region
    cercle.save()
    zones_before = Zone.objects.count()
    links_before = set(org("ohpmi").zone_links.values_list("zone_id", "source_id"))

    call_command("seed_mali")

    assert Zone.objects.count() == zones_before
    assert Zone.objects.filter(name="Nioro du Sahel").get().parent == nioro_region
    assert set(org("ohpmi").zone_links.values_list("zone_id", "source_id")) == links_before
    assert org("ohpmi") in Organisation.objects.in_zone(nioro_region)


def test_rows_staff_added_to_a_seeded_organisation_are_left_alone():
    ame = org("ame")
    ame.channels.create(kind="phone", value="+22370000000", label="Staff")
    ame.aliases.create(name="Expulsés du Mali")

    call_command("seed_mali")

    assert "+22370000000" in channels("ame", "phone")
    assert ame.aliases.filter(name="Expulsés du Mali").exists()


def test_staff_notes_are_seeded_once_then_left_to_staff():
    cams = org("cams")
    assert "footnote 6" in cams.staff_notes
    cams.staff_notes = "Called them in March."
    cams.save()

    call_command("seed_mali")

    assert org("cams").staff_notes == "Called them in March."
