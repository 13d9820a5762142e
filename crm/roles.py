"""The staff roles (groups) and their permissions, defined here and applied on migrate.

Why post_migrate rather than a data migration: on a fresh database a data migration
runs before Django has created the permissions of the apps migrated after it (and the
survey app's import permission may not exist yet at all). After every ``migrate`` this
creates any missing permission first, then sets each group's permissions to exactly
what is listed here, so the roles follow the code. Permissions that do not exist (an
app not installed yet) are skipped.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet

ADMINISTRATORS = "Administrators"
EDITORS = "Editors"
VIEWERS = "Viewers"

# The apps whose data the staff keep; Viewers see all of it.
DIRECTORY_APPS = ["organisations", "networks", "needs", "crm", "surveys", "outreach", "corrections"]

# Editors add, change and delete these (an organisation and its parts, its follow-up).
EDITED_MODELS = [
    "organisations.organisation",
    "organisations.organisationalias",
    "organisations.organisationidentifier",
    "organisations.organisationzone",
    "organisations.organisationtheme",
    "organisations.partnership",
    "organisations.office",
    "organisations.contactchannel",
    "organisations.contactperson",
    "organisations.partner",
    "organisations.searchsynonym",
    "networks.network",
    "networks.membership",
    "needs.organisationneed",
    "crm.interaction",
    "crm.assignment",
    # Sending update links, one by one or in campaigns (their records are never edited).
    "outreach.campaign",
    "outreach.message",
    # Deciding proposals (the review queue), revoking update links.
    "corrections.proposal",
    "corrections.updatelink",
]

# Editors run imports: every permission of these apps except deleting. The survey
# import app defines its own import permission on its ImportBatch model; taking the
# app's permissions by app label includes it whatever its codename, once it exists.
IMPORT_APPS = ["surveys"]

PRIVATE_PERMISSION = ("organisations", "view_private")


def role_permissions(permissions: QuerySet) -> dict[str, list]:
    """The permissions of each role, from ``permissions`` (all of them)."""
    private = permissions.filter(
        content_type__app_label=PRIVATE_PERMISSION[0], codename=PRIVATE_PERMISSION[1]
    )
    viewer = permissions.filter(
        content_type__app_label__in=DIRECTORY_APPS, codename__startswith="view_"
    )
    edited = Q()
    for label in EDITED_MODELS:
        app_label, model_name = label.split(".")
        edited |= Q(content_type__app_label=app_label, content_type__model=model_name)
    imports = Q(content_type__app_label__in=IMPORT_APPS) & ~Q(codename__startswith="delete_")
    editor = permissions.filter(edited | imports)
    return {
        ADMINISTRATORS: list(permissions),
        EDITORS: list(viewer | private | editor),
        VIEWERS: list(viewer | private),
    }


def sync_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for name, permissions in role_permissions(Permission.objects.using(using)).items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    sync_roles(using=using)
