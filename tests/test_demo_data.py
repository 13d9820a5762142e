"""manage.py generate_demo: many marked, deterministic, removable demo organisations."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from common.bulk import TableWriter
from common.phones import is_e164
from demo.catalogue import DEMO_SOURCE_CODE
from demo.generator import _Writers, generate
from demo.removal import delete_demo_data
from needs.factories import NeedActivityFactory
from needs.models import NeedCategory, OrganisationNeed
from networks.factories import NetworkFactory
from networks.models import Membership, Network
from organisations.factories import (
    CercleFactory,
    ContactChannelFactory,
    OrganisationFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
    TypologyFactory,
    ZoneFactory,
)
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
    Typology,
    Zone,
)
from services.models import Schedule, Service

pytestmark = pytest.mark.django_db


def _demo_organisations():
    return Organisation.objects.filter(source__code=DEMO_SOURCE_CODE)


def _snapshot() -> list[tuple]:
    """The generated data without primary keys, which differ from one run to the next."""
    organisations = _demo_organisations().prefetch_related(
        "zones", "themes", "partners", "channels", "contact_persons", "needs__category"
    )
    return [
        (
            o.slug,
            o.name,
            o.acronym,
            o.description,
            o.legal_form,
            o.registration_kind,
            o.scope,
            o.status,
            o.year_founded,
            o.budget_band,
            sorted(z.name for z in o.zones.all()),
            sorted(t.slug for t in o.themes.all()),
            sorted(p.slug for p in o.partners.all()),
            sorted((c.kind, c.value, c.is_public) for c in o.channels.all()),
            sorted((p.name, p.phone, p.email, p.is_publishable) for p in o.contact_persons.all()),
            sorted((n.category.slug, n.is_public) for n in o.needs.all()),
        )
        for o in organisations.order_by("slug")
    ]


@pytest.fixture
def seeded_catalogue():
    """A country divided down to cercles, a diaspora country, and the catalogues."""
    mali = ZoneFactory(name="Mali", iso_code="ML")
    kayes = RegionFactory(name="Kayes", parent=mali)
    CercleFactory(name="Diéma", parent=kayes)
    CercleFactory(name="Ansongo", parent=RegionFactory(name="Gao", parent=mali))
    ZoneFactory(name="France", iso_code="FR")
    for name in ("Retour et réinsertion", "Droits des migrants", "Traite des personnes"):
        ThemeFactory(name=name)
    TypologyFactory(name="Organisations des diasporas")
    NetworkFactory(name="Réseau national")
    PartnerFactory(name="Coopération suisse")
    NeedActivityFactory(name="Formation en gestion")


def test_it_creates_the_requested_organisations_marked_as_demo_data(seeded_catalogue):
    generate(40, seed=42)

    organisations = _demo_organisations()
    assert organisations.count() == 40
    source = Source.objects.get(code=DEMO_SOURCE_CODE)
    assert source.kind == Source.Kind.STAFF
    assert source.document == "Données de démonstration"
    assert Organisation.objects.count() == 40


def test_every_organisation_has_its_links(seeded_catalogue):
    generate(40, seed=42)

    per_organisation = _demo_organisations().annotate(
        zone_count=Count("zone_links", distinct=True),
        theme_count=Count("theme_links", distinct=True),
        person_count=Count("contact_persons", distinct=True),
    )
    for organisation in per_organisation:
        assert 1 <= organisation.zone_count <= 5
        assert 1 <= organisation.theme_count <= 3
        assert organisation.person_count == 1
        kinds = set(organisation.channels.values_list("kind", flat=True))
        assert {ContactChannel.Kind.PHONE, ContactChannel.Kind.EMAIL} <= kinds
    assert Membership.objects.exists()
    assert Partnership.objects.exists()
    assert OrganisationNeed.objects.exists()
    countries = Zone.objects.filter(organisation_links__isnull=False, level="country")
    assert set(countries.values_list("name", flat=True)) == {"France"}
    assert Zone.objects.filter(organisation_links__isnull=False, level="cercle").exists()


def test_phones_are_e164_and_emails_use_reserved_domains(seeded_catalogue):
    generate(40, seed=42)

    phones = ContactChannel.objects.filter(kind=ContactChannel.Kind.PHONE)
    phones = list(phones.values_list("value", flat=True))
    phones += list(ContactPerson.objects.values_list("phone", flat=True))
    assert phones and all(is_e164(phone) for phone in phones)
    assert all(phone.startswith("+223") for phone in phones)
    emails = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL)
    assert all(email.endswith(".example.org") for email in emails.values_list("value", flat=True))
    for channel in ContactChannel.objects.all():
        channel.full_clean()
    for person in ContactPerson.objects.all():
        person.full_clean()


def test_search_text_is_what_the_model_would_compute(seeded_catalogue):
    generate(40, seed=42)

    for organisation in _demo_organisations():
        assert organisation.search_text == organisation.build_search_text()
        assert organisation.search_text


def test_the_same_seed_gives_the_same_data(seeded_catalogue):
    generate(30, seed=7)
    first = _snapshot()
    delete_demo_data()
    assert not _demo_organisations().exists()

    generate(30, seed=7)
    assert _snapshot() == first


def test_chunks_planned_ahead_give_the_same_data_as_one_chunk(seeded_catalogue):
    generate(30, seed=7)
    whole = _snapshot()
    delete_demo_data()

    generate(30, seed=7, chunk_size=7)
    assert _snapshot() == whole


def test_every_reference_written_points_at_an_existing_row(seeded_catalogue):
    generate(60, seed=4)

    for model, fields in _Writers().tables:
        for field in map(model._meta.get_field, fields):
            if field.many_to_one:
                targets = field.related_model.objects.values("pk")
                dangling = model.objects.exclude(**{f"{field.attname}__isnull": True}).exclude(
                    **{f"{field.attname}__in": targets}
                )
                assert not dangling.exists(), (model.__name__, field.name)


def test_references_are_checked_again_once_the_demo_data_is_written(seeded_catalogue):
    generate(5, seed=4)
    theme = Theme.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        TableWriter(OrganisationTheme, ["organisation_id", "theme_id"]).insert([(10**9, theme.pk)])
        connection.check_constraints()


def test_another_seed_gives_other_data(seeded_catalogue):
    generate(30, seed=7)
    first = _snapshot()
    delete_demo_data()
    generate(30, seed=8)
    assert _snapshot() != first


def test_it_runs_a_number_of_queries_independent_of_the_number_of_organisations(
    seeded_catalogue, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        generate(5, seed=1)
    delete_demo_data()
    # Catalogues, ids, one insert per table (services and their links included); on
    # PostgreSQL three more to check the references up front.
    with django_assert_max_num_queries(37), CaptureQueriesContext(connection) as more:
        generate(40, seed=1)
    assert len(more) == len(few)


def test_the_bulk_writer_stores_awkward_values_exactly():
    # COPY's text format escapes tabs, line breaks and backslashes; None, booleans, dates.
    writer = TableWriter(Source, ["code", "document", "section", "year"])
    writer.insert([("awkward", "a\tb\nc\\d\re", "", None), ("plain", "Tableau 13", "T13", 2022)])
    awkward = Source.objects.get(code="awkward")
    assert (awkward.document, awkward.section, awkward.year) == ("a\tb\nc\\d\re", "", None)
    assert awkward.kind == Source.Kind.REPORT  # the model default
    assert Source.objects.get(code="plain").year == 2022

    organisation = OrganisationFactory()
    TableWriter(
        ContactPerson, ["organisation_id", "name", "is_publishable", "consent_date"]
    ).insert([(organisation.pk, "Awa Diarra", True, "2023-05-04")])
    consented = ContactPerson.objects.get(name="Awa Diarra")
    assert consented.is_publishable is True
    assert str(consented.consent_date) == "2023-05-04"


def test_it_works_on_an_empty_database_with_a_minimal_catalogue():
    generate(20, seed=3)

    assert _demo_organisations().count() == 20
    assert Zone.objects.filter(level="cercle").exists()
    assert Theme.objects.filter(source__code=DEMO_SOURCE_CODE).exists()
    assert Typology.objects.filter(source__code=DEMO_SOURCE_CODE).exists()

    delete_demo_data()
    for model in (Organisation, Zone, Theme, Typology, Network, Partner, NeedCategory, Source):
        assert not model.objects.exists(), model


def test_the_seeded_data_is_left_untouched(seeded_catalogue):
    kayes = Zone.objects.get(name="Kayes")
    theme = Theme.objects.order_by("slug").first()
    real = OrganisationFactory(name="Grdr Migration-Citoyenneté-Développement", zones=[kayes])
    OrganisationTheme.objects.create(organisation=real, theme=theme)
    ContactChannelFactory(organisation=real, value="+22366778899")
    catalogue_counts = {m: m.objects.count() for m in (Zone, Theme, Typology, Network, Partner)}
    history = real.history.count()
    real_search_text = Organisation.objects.get(pk=real.pk).search_text

    generate(40, seed=42)
    assert {m: m.objects.count() for m in catalogue_counts} == catalogue_counts
    delete_demo_data()

    assert list(Organisation.objects.all()) == [real]
    real.refresh_from_db()
    assert real.search_text == real_search_text
    assert real.history.count() == history
    assert list(real.zones.all()) == [kayes]
    assert list(real.themes.all()) == [theme]
    assert list(real.channels.values_list("value", flat=True)) == ["+22366778899"]
    assert {m: m.objects.count() for m in catalogue_counts} == catalogue_counts


def test_the_mali_seed_is_left_untouched():
    call_command("seed_mali", stdout=StringIO())
    before = {m: m.objects.count() for m in (Organisation, Zone, Theme, Source, OrganisationZone)}
    seeded = {o.pk: (o.name, o.search_text, o.version) for o in Organisation.objects.all()}

    generate(30, seed=42)
    delete_demo_data()

    assert {m: m.objects.count() for m in before} == before
    assert {o.pk: (o.name, o.search_text, o.version) for o in Organisation.objects.all()} == seeded


def test_delete_refuses_while_real_data_uses_a_demo_catalogue_entry():
    generate(5, seed=1)
    demo_theme = Theme.objects.filter(source__code=DEMO_SOURCE_CODE).first()
    OrganisationFactory(name="Vraie association", themes=[demo_theme])

    with pytest.raises(CommandError, match="not demo data"):
        call_command("generate_demo", delete=True, stdout=StringIO())
    assert _demo_organisations().count() == 5


def test_the_command_reports_what_it_made_and_adds_more_when_run_again(seeded_catalogue):
    out = StringIO()
    call_command("generate_demo", organisations=12, seed=5, stdout=out)
    assert "Added 12 demo organisations" in out.getvalue()
    assert "Demo data now: 12 organisations" in out.getvalue()

    call_command("generate_demo", organisations=3, seed=5, stdout=StringIO())
    slugs = list(_demo_organisations().values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 15
    assert {slug.rsplit("-", 1)[1] for slug in slugs} == {str(n) for n in range(1, 16)}

    out = StringIO()
    call_command("generate_demo", delete=True, stdout=out)
    assert "Removed 15 demo organisations" in out.getvalue()
    assert not _demo_organisations().exists()


def test_the_command_refuses_a_count_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_demo", organisations=0, stdout=StringIO())
    assert not Source.objects.exists()


def test_it_generates_services_with_their_links_and_removes_them(seeded_catalogue):
    generate(200, seed=3)
    services = Service.objects.filter(organisation__source__code="demo")
    assert 400 <= services.count() <= 800  # 1 to 5 each, 3 on average
    assert not services.filter(populations__isnull=True).exists()
    assert not services.filter(zones__isnull=True).exists()
    assert Schedule.objects.filter(service__in=services).count() == services.count()
    delete_demo_data()
    assert not Service.objects.exists()
    for relation in ("themes", "populations", "languages", "zones"):
        assert not getattr(Service, relation).through.objects.exists()
    assert not Schedule.objects.exists()
