"""Phones: libphonenumber's rule (common.phones) in the admin, the survey import, the profile
and the printed annuaire; stored values and data exports stay in E.164."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.phones import format_international, is_e164, to_e164
from organisations.factories import ContactChannelFactory, ContactPersonFactory
from organisations.models import ContactChannel, ContactPerson, Organisation
from surveys.mapping import MappingError, parse_mapping
from surveys.models import ImportMapping
from surveys.service import apply_import

# english_messages (autouse): messages asserted in their English source form.
from tests.import_world import (  # noqa: F401
    DATA,
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)
from tests.test_admin import _organisation_form


def test_it_refuses_a_number_too_short_for_its_country():
    assert to_e164("+223 1234") == ""
    assert not is_e164("+2231234")
    assert is_e164("+22320241122")


@pytest.mark.parametrize(
    ("written", "region", "stored", "shown"),
    [
        ("20 24 11 22", "ML", "+22320241122", "+223 20 24 11 22"),
        ("77 123 45 67", "SN", "+221771234567", "+221 77 123 45 67"),
        ("70 12 34 56", "BF", "+22670123456", "+226 70 12 34 56"),
        ("06 12 34 56 78", "FR", "+33612345678", "+33 6 12 34 56 78"),
    ],
)
def test_it_reads_a_national_number_in_its_region_and_shows_it_with_spaces(
    written, region, stored, shown
):
    assert to_e164(written, region) == stored
    assert format_international(stored) == shown


def test_a_number_with_its_own_country_code_ignores_the_default_region():
    assert to_e164("+221 77 123 45 67", "ML") == "+221771234567"
    assert to_e164("00226 70 12 34 56", "ML") == "+22670123456"
    assert to_e164("20 24 11 22", "") == ""


def test_an_extension_is_not_dropped_silently():
    assert to_e164("20 24 11 22 poste 12", "ML") == ""


def test_values_that_are_not_stored_numbers_are_shown_as_they_are():
    for value in ["+ 223 2202056", "+2231234", "76 45 12 30", "contact@example.org"]:
        assert format_international(value) == value


# --- Admin --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["+223 1234", "+2231234"])
@pytest.mark.parametrize("field", ["channels-0-value", "contact_persons-0-phone"])
def test_the_admin_refuses_an_invalid_number_in_french(staff_client, field, written):
    inline = {"channels-TOTAL_FORMS": "1", "channels-0-kind": "phone"}
    if field.startswith("contact_persons"):
        inline = {"contact_persons-TOTAL_FORMS": "1", "contact_persons-0-name": "Awa Traoré"}
    data = _organisation_form(
        Organisation(name="Test", slug="test", status="draft"), **inline, **{field: written}
    )
    response = staff_client.post(reverse("admin:organisations_organisation_add"), data)
    assert response.status_code == 200
    assert f"{written} n’est pas un numéro de téléphone valide" in response.content.decode()
    assert not Organisation.objects.filter(slug="test").exists()


@pytest.mark.django_db
def test_a_number_of_the_wrong_length_for_its_country_is_refused():
    # "+223" and seven digits: Malian numbers have eight.
    channel = ContactChannelFactory.build(value="+2232080032")
    with pytest.raises(ValidationError, match="is not a valid phone number in E.164 form"):
        channel.full_clean(exclude=["organisation"])


def test_a_real_number_of_the_report_outside_libphonenumber_ranges_is_accepted():
    # The 2022 report's AEI Mali line: eight digits, in a range libphonenumber does not list.
    assert to_e164("+223 20800323") == "+22320800323"
    assert format_international("+22320800323") == "+223 20 80 03 23"


# --- Survey import ------------------------------------------------------------------------


def _import_phones(mapping, cell: str) -> list[tuple[str, bool, str]]:
    content = reference_export([{"identification/nom_osc": "A", "identification/telephones": cell}])
    apply_import(content, "kobo.xlsx", mapping, None)
    channels = ContactChannel.objects.order_by("position")
    return list(channels.values_list("value", "to_verify", "verification_note"))


def test_the_import_keeps_an_invalid_number_as_written_to_verify(world, mapping):
    assert _import_phones(mapping, "+223 1234 / 76 45 12 30") == [
        ("+223 1234", True, "Phone “+223 1234” kept as written, to verify."),
        ("+22376451230", False, ""),
    ]


def test_the_import_reads_each_number_with_its_own_country_code(world, mapping):
    cell = "+221 77 123 45 67 / +226 70 12 34 56 / +33 6 12 34 56 78 / 20 24 11 22"
    assert [value for value, *_ in _import_phones(mapping, cell)] == [
        "+221771234567",
        "+22670123456",
        "+33612345678",
        "+22320241122",
    ]


def _mapping_with(old: str, new: str) -> ImportMapping:
    definition = (DATA / "reference_mapping.yaml").read_text(encoding="utf-8")
    assert old in definition
    return ImportMapping.objects.create(
        name="Variante", slug="variante", definition=definition.replace(old, new)
    )


def test_national_numbers_are_read_in_the_country_of_the_mapping_prefix(world):
    senegal = _mapping_with('phone_prefix: "+223"', 'phone_prefix: "+221"')
    assert _import_phones(senegal, "77 123 45 67")[0][:2] == ("+221771234567", False)


def test_without_a_prefix_national_numbers_are_read_in_the_mapping_country(world):
    mali = _mapping_with('phone_prefix: "+223"\n', "")
    assert _import_phones(mali, "76 45 12 30")[0][:2] == ("+22376451230", False)


def test_a_prefix_that_is_no_country_code_is_a_mapping_error():
    with pytest.raises(MappingError, match="“phone_prefix” must be a country calling code"):
        parse_mapping("name: x\nphone_prefix: '+999'\nfields: {name: nom}\n")
    # Mappings written before libphonenumber still load.
    assert parse_mapping("name: x\nphone_digits: 8\nfields: {name: nom}\n").phone_region == ""


# --- Profile and annuaire -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_profile_shows_numbers_with_spaces_and_dials_e164(client):
    channel = ContactChannelFactory(value="+22320241122")
    organisation = channel.organisation
    ContactChannelFactory(organisation=organisation, value="+ 223 2202056", to_verify=True)
    ContactPersonFactory(
        organisation=organisation,
        name="Awa Traoré",
        phone="+221771234567",
        is_publishable=True,
        consent_date="2024-01-01",
    )
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert '<a href="tel:+22320241122">+223 20 24 11 22</a>' in html
    assert '<a href="tel:+221771234567">+221 77 123 45 67</a>' in html
    # Kept as the source wrote it.
    assert "+ 223 2202056</a> <span" in html
    assert ContactPerson.objects.get().phone == "+221771234567"


@pytest.mark.django_db
def test_the_printed_annuaire_shows_spaces_and_its_csv_keeps_e164(client):
    channel = ContactChannelFactory(value="+22320241122")
    Organisation.objects.filter(pk=channel.organisation_id).update(status="published")
    ContactChannelFactory(organisation=channel.organisation, value="+33612345678")
    xlsx = client.get(reverse("exports:annuaire", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.cell(row=2, column=4).value == "+223 20 24 11 22 ; +33 6 12 34 56 78"
    csv = b"".join(client.get(reverse("exports:annuaire", args=["csv"])).streaming_content)
    assert "'+22320241122 ; +33612345678" in csv.decode()
