"""The French catalogue: branches append their entries, and git merges them by union."""

from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _entries() -> tuple[list[tuple[str | None, str]], list[int]]:
    """(context, msgid) of every entry as written, duplicates kept (read_po merges them),
    and the line numbers of any msgstr that follows no msgid (read_po ignores them)."""
    keys, strays = [], []
    context = msgid = None
    previous = field = None  # the last keyword, and the one whose continued lines we read
    for number, line in enumerate(PO.read_text(encoding="utf-8").splitlines(), start=1):
        keyword = line.split(" ", 1)[0]
        if keyword == "msgctxt":
            context, field = line[8:].strip('"'), "context"
        elif keyword == "msgid":
            msgid, field = line[6:].strip('"'), "id"
        elif keyword == "msgid_plural" or keyword.startswith("msgstr"):
            expected = {"msgstr": ("msgid",), "msgid_plural": ("msgid",)}.get(
                keyword, ("msgid_plural", "msgstr[")
            )
            if not previous or not previous.startswith(expected):
                strays.append(number)
            elif keyword in ("msgstr", "msgid_plural"):
                keys.append((context, msgid))
            if keyword == "msgstr" or keyword.startswith("msgstr["):
                context = None
            field = None
        elif line.startswith('"') and field == "id":
            msgid += line.strip('"')
        elif line.startswith('"') and field == "context":
            context += line.strip('"')
        else:
            continue
        if not line.startswith('"'):
            previous = keyword
    return keys, strays


def test_no_message_is_translated_twice():
    """A duplicate msgid compiles silently with one of its translations: a union merge of
    two branches that translated the same text must be resolved by hand."""
    keys, _strays = _entries()
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    assert duplicates == []


def test_every_translation_follows_its_message():
    """A msgstr left over by a merge is dropped silently when compiling."""
    _keys, strays = _entries()
    assert strays == []


def test_every_message_is_translated():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [message.id for message in catalog if message.id and not message.string]
    assert untranslated == []
