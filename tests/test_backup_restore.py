"""The portable backup in the README restores every record, link and history entry."""

import json
import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.management import call_command

from needs.factories import OrganisationNeedFactory
from networks.factories import NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationIdentifierFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
)
from organisations.models import Organisation

README = Path(__file__).resolve().parent.parent / "README.md"
# Recreated by migrate in the database a backup is restored into.
# The page cache's data-version stamp and the changes each version made are derived
# state: loading the dump bumps the one and records the other.
NOT_IN_BACKUP = {
    ("contenttypes", "contenttype"),
    ("auth", "permission"),
    ("sessions", "session"),
    ("pagecache", "dataversion"),
    ("pagecache", "change"),
}


def _readme_dumpdata_options() -> list[str]:
    """The options of the `manage.py dumpdata` command given in the README."""
    section = README.read_text().split("## Backup and restore", 1)[1]
    command = re.search(r"manage\.py dumpdata(.*?)-o ", section.replace("\\\n", " "), re.S)
    assert command, "README's Backup and restore section gives no manage.py dumpdata … -o command"
    return shlex.split(command.group(1))


def _dump(path) -> list:
    """A dump's rows. Django's serializer keeps milliseconds: a time with 1-999 µs is written
    "…:03.000Z" and, loaded back as :03, dumped "…:03Z": the same instant."""
    return json.loads(
        re.sub(r'(T\d\d:\d\d:\d\d)\.000(?=Z|[+-]\d\d:\d\d")', r"\1", path.read_text())
    )


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if (model._meta.app_label, model._meta.model_name) not in NOT_IN_BACKUP
    }


@pytest.fixture
def directory_with_history(django_user_model):
    staff = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    kayes = RegionFactory(name="Kayes")
    organisation = OrganisationFactory(
        name="Association des ressortissants de Kayes",
        zones=[kayes],
        themes=[ThemeFactory(name="Retour")],
        partners=[PartnerFactory(name="Coopération suisse")],
    )
    OrganisationAliasFactory(organisation=organisation, name="ARK")
    OrganisationIdentifierFactory(organisation=organisation)
    office = OfficeFactory(organisation=organisation)
    ContactChannelFactory(organisation=organisation, office=office, is_public=False)
    ContactPersonFactory(organisation=organisation)
    OrganisationNeedFactory(organisation=organisation)
    network = NetworkFactory(name="Réseau national", members=[organisation])
    network.countries.add(kayes.parent)
    # Edits by a staff member, and a deleted organisation whose history stays.
    organisation._history_user = staff
    organisation.description = "Accueil des migrants de retour."
    organisation.save()
    gone = OrganisationFactory(name="Association dissoute", zones=[kayes])
    gone.delete()
    LogEntry.objects.create(
        user=staff,
        object_id=str(organisation.pk),
        object_repr=str(organisation),
        action_flag=ADDITION,
    )
    return organisation


@pytest.mark.django_db(transaction=True)
def test_the_readme_backup_restores_into_an_empty_database(tmp_path, directory_with_history):
    options = _readme_dumpdata_options()
    assert "--natural-foreign" in options and "--natural-primary" in options
    before = _row_counts()
    # Created and edited; created and deleted.
    assert before["organisations.HistoricalOrganisation"] == 4
    assert before["organisations.HistoricalOrganisationZone"] == 3
    assert before["admin.LogEntry"] == 1
    backup = tmp_path / "backup.json"
    call_command("dumpdata", *options, output=str(backup), stdout=StringIO())

    call_command("flush", interactive=False, stdout=StringIO())
    assert not Organisation.objects.exists()
    call_command("loaddata", str(backup), stdout=StringIO())

    assert _row_counts() == before
    restored = tmp_path / "restored.json"
    call_command("dumpdata", *options, output=str(restored), stdout=StringIO())
    assert _dump(restored) == _dump(backup)
    organisation = Organisation.objects.get(pk=directory_with_history.pk)
    assert organisation.history.latest().history_user.username == "awa"
    assert [z.name for z in organisation.zones.all()] == ["Kayes"]
    assert organisation.search_text == directory_with_history.search_text
