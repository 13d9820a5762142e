"""KoboToolbox's JSON submissions turned into the workbook its XLSX export would be.

The API gives each submission as a dict keyed by question path ("identification/nom_osc"),
with each repeat group as a list of dicts under the repeat's path ("contacts"). The XLSX
export (KoboToolbox's formpack library) flattens that into one sheet per section:

- the main sheet: one row per submission, the question paths as headers, the metadata
  (_id, _uuid, _submission_time, _validation_status as its uid…) and ``_index``, counted
  from 1;
- one sheet per repeat group, named after the repeat: one row per entry, with its own
  ``_index``, ``_parent_table_name`` and ``_parent_index`` (the ``_index`` of the row it
  belongs to) and the submission's metadata copied as ``_submission__id``,
  ``_submission__uuid``…

select_multiple answers are already space-separated codes in the JSON, as in the export's
one-cell column. Attachments (``_attachments``) are not cells: ``attachments_of`` lists
their download addresses, which the pull keeps (models.KoboPull).
"""

import io
import json
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# The submission metadata the export copies into every repeat sheet (kpi's COPY_FIELDS).
COPY_FIELDS = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "_tags",
)
LINK_COLUMNS = ("_index", "_parent_table_name", "_parent_index")
ATTACHMENTS = "_attachments"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


@dataclass
class _Section:
    sheet: str
    parent: "_Section | None"
    headers: dict[str, None] = field(default_factory=dict)  # ordered set
    rows: list[dict[str, str]] = field(default_factory=list)
    next_index: int = 1


class _Flattener:
    def __init__(self, main_sheet: str):
        self.main = _Section(sheet=_sheet_name(main_sheet) or "submissions", parent=None)
        self.sections: dict[str, _Section] = {"": self.main}

    def add(self, submission: dict) -> None:
        copied = {name: _text(name, submission.get(name)) for name in COPY_FIELDS}
        self._entry(submission, "", self.main, 0, copied)

    def _entry(self, entry: dict, path: str, section: _Section, parent_index: int, copied):
        index = section.next_index
        section.next_index += 1
        row: dict[str, str] = {}
        repeats = []
        for key, value in entry.items():
            if key == ATTACHMENTS:
                continue
            if _is_repeat(key, value):
                repeats.append((key, value))
                continue
            row[key] = _text(key, value)
        row["_index"] = str(index)
        if section.parent is not None:
            row["_parent_table_name"] = section.parent.sheet
            row["_parent_index"] = str(parent_index)
            for name in COPY_FIELDS:
                row[f"_submission_{name}"] = copied[name]
        section.headers.update(dict.fromkeys(row))
        section.rows.append(row)
        for key, entries in repeats:
            child = self._section(key, section)
            for child_entry in entries:
                self._entry(child_entry, key, child, index, copied)

    def _section(self, path: str, parent: _Section) -> _Section:
        if path not in self.sections:
            taken = {section.sheet.lower() for section in self.sections.values()}
            self.sections[path] = _Section(
                sheet=_unique(_sheet_name(path.rsplit("/", 1)[-1]) or "repeat", taken),
                parent=parent,
            )
        return self.sections[path]

    def workbook(self) -> bytes:
        book = Workbook(write_only=True)
        for section in self.sections.values():
            sheet = book.create_sheet(section.sheet)
            # Questions first, then the export's linking and copied metadata columns.
            links = [
                h for h in section.headers if h in LINK_COLUMNS or h.startswith("_submission_")
            ]
            headers = [h for h in section.headers if h not in links] + links
            sheet.append(headers)
            for row in section.rows:
                sheet.append([_cell(sheet, row.get(header, "")) for header in headers])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def to_workbook(submissions: list[dict], main_sheet: str) -> bytes:
    """The XLSX workbook KoboToolbox's export would give for these submissions."""
    flattener = _Flattener(main_sheet)
    for submission in submissions:
        flattener.add(submission)
    return flattener.workbook()


def attachments_of(submissions: list[dict]) -> list[dict]:
    """Each attachment's submission, question, file name, type and download address."""
    found = []
    for submission in submissions:
        for attachment in submission.get(ATTACHMENTS) or []:
            if not isinstance(attachment, dict) or attachment.get("is_deleted"):
                continue
            filename = str(attachment.get("filename") or "")
            found.append(
                {
                    "submission_id": submission.get("_id"),
                    "uuid": str(submission.get("_uuid") or ""),
                    "question": str(attachment.get("question_xpath") or ""),
                    "filename": str(
                        attachment.get("media_file_basename") or filename.rsplit("/", 1)[-1]
                    ),
                    "mimetype": str(attachment.get("mimetype") or ""),
                    "download_url": str(attachment.get("download_url") or ""),
                }
            )
    return found


def newest_submission_time(submissions: list[dict]) -> str:
    """The latest _submission_time, as KoboToolbox writes it (ISO 8601 text, UTC)."""
    times = [str(s["_submission_time"]) for s in submissions if s.get("_submission_time")]
    return max(times, default="")


def _is_repeat(key: str, value) -> bool:
    return (
        not key.startswith("_")
        and isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) for item in value)
    )


def _text(key: str, value) -> str:
    """A value as the export's cell shows it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        if key == "_validation_status":
            return str(value.get("uid") or "")
        return json.dumps(value, ensure_ascii=False)
    if all(isinstance(item, dict) and "note" in item for item in value):
        return "\n".join(str(item["note"]) for item in value)  # _notes
    if all(not isinstance(item, dict | list) for item in value):
        return ", ".join(str(item) for item in value if item is not None)  # _tags
    return json.dumps(value, ensure_ascii=False)


def _cell(sheet, value: str):
    """Text stays text: control characters are written as XLSX escapes (the reader turns
    them back) and a leading "=" does not make a formula."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _sheet_name(name: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub(" ", name).strip()[:SHEET_NAME_LENGTH]


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    return candidate
