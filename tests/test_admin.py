"""Every admin page answers staff and turns anonymous visitors away."""

from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from corrections.factories import ProposalFactory, update_link
from crm.factories import AssignmentFactory, DistinctPairFactory, InteractionFactory
from jobs.models import Job
from needs.factories import NeedActivityFactory, NeedCategoryFactory, OrganisationNeedFactory
from networks.factories import NetworkFactory
from organisations import factories as org_factories
from organisations.models import Organisation, OrganisationZone
from outreach.factories import CampaignFactory, MessageFactory
from services.factories import LanguageFactory, PopulationGroupFactory, ServiceFactory
from surveys.models import ImportBatch, ImportMapping, KoboPull, KoboSource

pytestmark = pytest.mark.django_db

MAPPING = Path(__file__).parent / "data" / "reference_mapping.yaml"


def _mapping():
    definition = MAPPING.read_text(encoding="utf-8")
    return ImportMapping.objects.create(
        name="Questionnaire", slug="questionnaire", definition=definition
    )


def _batch():
    return ImportBatch.objects.create(
        mapping=_mapping(),
        mapping_definition="",
        file_name="enquete.xlsx",
        checksum="0" * 64,
        on_existing="skip",
        applied_at=timezone.now(),
    )


def _kobo_source():
    return KoboSource.objects.create(
        name="Enquête OSC",
        slug="enquete-osc",
        asset_uid="aTPPUDScaFZkvBzd8FyK4Q",
        mapping=_mapping(),
    )


def _kobo_pull():
    return KoboPull.objects.create(
        source=_kobo_source(),
        pulled_at=timezone.now(),
        submissions=1,
        newest_submission_time="2022-03-14T10:12:00",
        file_name="kobo-enquete-osc.xlsx",
        checksum="0" * 64,
        attachments=[
            {
                "submission_id": 1,
                "uuid": "u-1",
                "question": "photo",
                "filename": "photo.jpg",
                "mimetype": "image/jpeg",
                "download_url": "https://kf.kobotoolbox.org/api/v2/assets/a/data/1/attachments/1/",
            }
        ],
    )


_REQUEST = {"user_agent": "Firefox", "http_accept": "text/html", "path_info": "/admin/login/"}

FACTORIES = {
    "organisations.source": org_factories.SourceFactory,
    "organisations.zone": org_factories.RegionFactory,
    "organisations.zoneindicator": org_factories.ZoneIndicatorFactory,
    "organisations.typology": org_factories.TypologyFactory,
    "organisations.themegroup": org_factories.ThemeGroupFactory,
    "organisations.theme": org_factories.ThemeFactory,
    "organisations.partner": org_factories.PartnerFactory,
    "organisations.acronym": org_factories.AcronymFactory,
    "organisations.searchsynonym": org_factories.SearchSynonymFactory,
    "organisations.organisation": org_factories.OrganisationFactory,
    "networks.network": NetworkFactory,
    "needs.needcategory": NeedCategoryFactory,
    "needs.needactivity": NeedActivityFactory,
    "needs.organisationneed": OrganisationNeedFactory,
    "services.service": ServiceFactory,
    "services.populationgroup": PopulationGroupFactory,
    "services.language": LanguageFactory,
    "crm.interaction": InteractionFactory,
    "crm.assignment": AssignmentFactory,
    "crm.distinctpair": DistinctPairFactory,
    "outreach.campaign": CampaignFactory,
    "outreach.message": MessageFactory,
    "corrections.proposal": ProposalFactory,
    "corrections.updatelink": update_link,
    "surveys.importmapping": _mapping,
    "surveys.importbatch": _batch,
    "surveys.kobosource": _kobo_source,
    "surveys.kobopull": _kobo_pull,
    "auth.group": lambda: Group.objects.create(name="Éditeurs"),
    "axes.accessattempt": lambda: AccessAttempt.objects.create(
        ip_address="10.0.0.1", username="someone", failures_since_start=2, **_REQUEST
    ),
    "axes.accesslog": lambda: AccessLog.objects.create(ip_address="10.0.0.1", **_REQUEST),
    "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
        ip_address="10.0.0.1", **_REQUEST
    ),
    "jobs.job": lambda: Job.objects.create(
        kind="export", owner=User.objects.create_user(username="owner"), label="Export"
    ),
    "django_tasks_database.dbtaskresult": lambda: DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="jobs.tasks.run_job",
        backend_name="default",
        run_after=timezone.now(),
    ),
}

# Written only by a login, an import or a sending: their admin has no add page.
WITHOUT_ADD_PAGE = {
    "outreach.message",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "surveys.importbatch",
    "surveys.kobopull",
    "jobs.job",
    "django_tasks_database.dbtaskresult",
    # Proposals come from the public forms, update links from sending them.
    "corrections.proposal",
    "corrections.updatelink",
}

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)


def _instance(label, django_user_model):
    if label == "auth.user":
        return django_user_model.objects.create_user(username="someone", password="x" * 12)
    return FACTORIES[label]()


def test_every_registered_model_has_a_factory_here():
    assert set(REGISTERED) - {"auth.user"} <= set(FACTORIES)


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.parametrize("page", ["changelist", "add", "change"])
def test_it_serves_admin_pages_to_staff(staff_client, django_user_model, label, page):
    app_label, model_name = label.split(".")
    args = [_instance(label, django_user_model).pk] if page == "change" else []
    response = staff_client.get(reverse(f"admin:{app_label}_{model_name}_{page}", args=args))
    assert response.status_code == (403 if page == "add" and label in WITHOUT_ADD_PAGE else 200)


@pytest.mark.parametrize("label", REGISTERED)
def test_it_redirects_anonymous_visitors_to_login(client, label):
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_searches_organisations_by_alias(staff_client):
    organisation = org_factories.OrganisationFactory(name="Coordination des Associations CAMARCI")
    org_factories.OrganisationAliasFactory(organisation=organisation, name="CAMRCI")
    org_factories.OrganisationFactory(name="Autre")
    response = staff_client.get(
        reverse("admin:organisations_organisation_changelist"), {"q": "camrci"}
    )
    assert list(response.context["cl"].result_list) == [organisation]


def test_it_filters_organisations_by_region_including_cercles(staff_client):
    region = org_factories.RegionFactory(name="Kayes")
    cercle = org_factories.CercleFactory(name="Yélimané", parent=region)
    inside = org_factories.OrganisationFactory(zones=[cercle])
    org_factories.OrganisationFactory(zones=[org_factories.RegionFactory(parent=region.parent)])
    response = staff_client.get(
        reverse("admin:organisations_organisation_changelist"), {"zone": region.pk}
    )
    assert list(response.context["cl"].result_list) == [inside]


def _organisation_form(organisation, **overrides):
    """POST data for the organisation change form with every inline empty."""
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "slug": organisation.slug,
        "typology": organisation.typology_id or "",
        "status": organisation.status,
        "survey_status": organisation.survey_status,
        "legal_form": organisation.legal_form,
        "registration_kind": organisation.registration_kind,
        "registration_law": "",
        "registration_country": "",
        "registration_reference": "",
        "year_founded": "",
        "scope": organisation.scope,
        "scope_detail": "",
        "description": organisation.description,
        "budget_band": organisation.budget_band,
        "website_status": "",
        "members_individuals": "",
        "members_organisations": "",
        "members_countries": "",
        "members_note": "",
        "source": "",
        "staff_notes": "",
        # The version the form was opened on (optimistic locking).
        "seen_version": organisation.version if organisation.pk else "",
    }
    for prefix in [
        "aliases",
        "identifiers",
        "zone_links",
        "theme_links",
        "offices",
        "channels",
        "contact_persons",
        "memberships",
        "partnerships",
        "needs",
        "services",
        "interactions",
        "assignments",
    ]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_staff_create_an_organisation_with_zones_and_contacts(staff_client):
    zone = org_factories.RegionFactory(name="Gao")
    typology = org_factories.TypologyFactory()
    data = _organisation_form(
        Organisation(name="Maison du Migrant", slug="maison-du-migrant", typology=typology),
        **{
            "zone_links-TOTAL_FORMS": "1",
            "zone_links-0-zone": zone.pk,
            "channels-TOTAL_FORMS": "2",
            "channels-0-kind": "phone",
            "channels-0-value": "+22376342743",
            "channels-0-is_public": "on",
            "channels-1-kind": "email",
            "channels-1-value": "maisondumigrantgao@gmail.com",
            "channels-1-is_public": "on",
            "contact_persons-TOTAL_FORMS": "1",
            "contact_persons-0-name": "Responsable de la Maison",
            "contact_persons-0-role": "Coordinateur",
        },
    )
    response = staff_client.post(reverse("admin:organisations_organisation_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(slug="maison-du-migrant")
    assert list(organisation.zones.all()) == [zone]
    assert sorted(organisation.channels.values_list("value", flat=True)) == [
        "+22376342743",
        "maisondumigrantgao@gmail.com",
    ]
    assert organisation.contact_persons.get().is_publishable is False


def test_the_admin_refuses_a_phone_not_in_e164(staff_client):
    data = _organisation_form(
        Organisation(name="Test", slug="test", status="draft"),
        **{
            "channels-TOTAL_FORMS": "1",
            "channels-0-kind": "phone",
            "channels-0-value": "76 43 47 31",
        },
    )
    response = staff_client.post(reverse("admin:organisations_organisation_add"), data)
    assert response.status_code == 200
    assert not Organisation.objects.filter(slug="test").exists()
    assert "E.164" in response.content.decode()


def test_the_history_records_who_changed_what(staff_client):
    organisation = org_factories.OrganisationFactory(description="Avant")
    zone = org_factories.RegionFactory(name="Mopti")
    data = _organisation_form(
        organisation,
        description="Après",
        **{"zone_links-TOTAL_FORMS": "1", "zone_links-0-zone": zone.pk},
    )
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    assert staff_client.post(url, data).status_code == 302

    latest = organisation.history.latest()
    assert latest.history_user == staff_client.user
    assert latest.description == "Après"
    delta = latest.diff_against(latest.prev_record)
    assert "description" in delta.changed_fields
    link = OrganisationZone.objects.get(organisation=organisation)
    assert link.history.get().history_user == staff_client.user

    page = staff_client.get(
        reverse("admin:organisations_organisation_history", args=[organisation.pk])
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert "Mopti" in content
    assert staff_client.user.username in content


def test_the_admin_is_french_by_default_and_english_on_request(staff_client):
    url = reverse("admin:index")
    response = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "fr"
    assert "Déconnexion" in response.content.decode()
    staff_client.post(reverse("set_language"), {"language": "en", "next": url})
    response = staff_client.get(url)
    assert response["Content-Language"] == "en"
    assert "Log out" in response.content.decode()


def test_the_search_box_finds_what_the_lists_find_drafts_included(staff_client):
    draft = org_factories.OrganisationFactory(
        name="Association des rapatriés de Kidal", status=Organisation.Status.DRAFT
    )
    published = org_factories.OrganisationFactory(name="Rapatriés solidaires")
    org_factories.OrganisationFactory(name="Autre")
    changelist = reverse("admin:organisations_organisation_changelist")
    response = staff_client.get(changelist, {"q": "rapatries"})
    assert set(response.context["cl"].result_list) == {draft, published}
    narrowed = staff_client.get(changelist, {"q": "rapatries", "status": "draft"})
    assert list(narrowed.context["cl"].result_list) == [draft]


def test_a_search_alone_pages_in_the_engines_order_without_counting_in_sql(
    staff_client, django_assert_max_num_queries
):
    for n in range(130):
        org_factories.OrganisationFactory(name=f"Réseau migrants {n:03d}")
    changelist = reverse("admin:organisations_organisation_changelist")
    staff_client.get(changelist, {"q": "migrants"})  # builds the index after the writes
    with django_assert_max_num_queries(12):
        second = staff_client.get(changelist, {"q": "migrants", "p": "2"})
    cl = second.context["cl"]
    assert cl.result_count == 130
    assert [o.name for o in cl.result_list] == [f"Réseau migrants {n:03d}" for n in range(100, 130)]
