"""The French catalogue: branches append their entries, and git merges them by union."""

from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _message_keys() -> list[tuple[str | None, str]]:
    """(context, msgid) of every entry as written, duplicates kept (read_po merges them)."""
    keys, context, msgid, reading = [], None, None, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgctxt "):
            context, reading = line[8:].strip('"'), "ctxt"
        elif line.startswith("msgid "):
            msgid, reading = line[6:].strip('"'), "id"
        elif line.startswith("msgid_plural "):
            keys.append((context, msgid))
            context, msgid, reading = None, None, "plural"
        elif line.startswith('"') and reading == "id":
            msgid += line.strip('"')
        elif line.startswith('"') and reading == "ctxt":
            context += line.strip('"')
        elif line.startswith("msgstr") or not line.strip():
            if reading == "id" and msgid:
                keys.append((context, msgid))
            context, msgid, reading = None, None, None
    return keys


def test_no_message_is_translated_twice():
    """A duplicate msgid compiles silently with one of its translations: a union merge of
    two branches that translated the same text must be resolved by hand."""
    duplicates = [key for key, count in Counter(_message_keys()).items() if count > 1]
    assert duplicates == []


def test_every_message_is_translated():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [message.id for message in catalog if message.id and not message.string]
    assert untranslated == []
