"""The survey-import mapping of the full export, derived from the organisation's fields.

``exports/mappings/full_export.yaml`` is this text, written by
``manage.py write_full_export_mapping`` (a test checks it is current): staff pass the file
to ``import_survey --mapping`` or load it in the admin.
"""

from pathlib import Path

from organisations.fields import ORGANISATION_FIELDS, Kind, exported_fields

MAPPING_FILE = Path(__file__).resolve().parent / "mappings" / "full_export.yaml"

HEAD = """\
# Mapping of the full export (exports/layouts.py FULL, README "Exports") for the survey import
# (surveys app): a staff export with every field, imported into a database that holds the same
# catalogue (zones, typologies, themes, partners, networks, need categories, sources; e.g.
# `manage.py seed_mali`), gives back the same organisations with all their parts.
# Written by `manage.py write_full_export_mapping` from organisations/fields.py: do not edit.
name: Export complet de l'Annuaire OSC Migrations
source:
  code: export-complet
  document: Export complet de l'Annuaire OSC Migrations
# Cells split at " ; " only, the exports' apostrophe before formula characters taken off,
# no "empty" answers ("-" is data), contact persons of the public column stay publishable.
exported: true
defaults:
  # For files without the status columns (an export without private columns).
  status: draft
  survey_status: registered
  # The phones, emails, websites and social_links columns hold public channels only.
  channels_public: true
"""


def full_export_mapping(fields=ORGANISATION_FIELDS) -> str:
    """The mapping's YAML: each importable column under its import target, the columns
    written for people ignored."""
    exported = exported_fields(fields)
    lines = [HEAD.rstrip("\n"), "fields:"]
    lines += [f"  {field.import_target}: {field.name}" for field in exported if field.import_target]
    lines.append("# Columns for people, read again from the columns above.")
    lines.append("ignore:")
    lines += [f"  - {field.name}" for field in exported if field.kind is Kind.READABLE]
    return "\n".join(lines) + "\n"
