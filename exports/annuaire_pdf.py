"""The annuaire as a PDF to print and share: a cover (title, filters in words, date, sources),
a table of contents by region, then one row per organisation laid out like the report's
Tableau 13 (N°, name, head-office address, phones, e-mails, web site) with its typology and
themes, pages numbered. Public data only, whoever asks; in the request's language.

Organisations are grouped by region: the region of their head office, else the first region
(in the zones' order) of their intervention zones; then a country without a region, then
"place not stated". Within a region they keep the list's order (name, or last update).

Memory stays flat whatever the size: the organisations are read in chunks
(``exports.records``) and laid out ``ENTRIES_PER_PART`` at a time (``common.pdf.PartsWriter``);
only the list of ids and their regions is held for the whole list.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from common.pdf import PartsWriter, render_pdf
from common.phones import format_international
from directory.filters import OrganisationFilterSet
from directory.zone_order import in_tree_order
from exports.filenames import today
from exports.filtering import Selection
from exports.layouts import ANNUAIRE, JOIN
from exports.records import (
    ExportLookups,
    OrganisationRecord,
    chunk_size,
    of_ids,
    records_of_ids,
)
from organisations.models import (
    Office,
    Organisation,
    OrganisationZone,
    Source,
    Theme,
    Typology,
    Zone,
)

PDF_PARTS = ("offices", "channels", "themes")
# Organisations laid out together: about 50 landscape pages, some 100 MB of layout, before
# they are written out and dropped (README, "PDF").
ENTRIES_PER_PART = 400
# Page numbers on the cover are drawn at this width before the pages exist, so that the
# real numbers, drawn last, take the same room (the font's digits all have one width).
PLACEHOLDER_PAGE = 999999


@dataclass
class Section:
    """The organisations of one region (or of a country without a region)."""

    country: Zone | None
    region: Zone | None
    ids: list[int] = field(default_factory=list)
    first_number: int = 0
    page: int = PLACEHOLDER_PAGE

    @property
    def title(self) -> str:
        if self.region is not None:
            return self.region.display_name
        if self.country is not None:
            return _("Region not stated")
        return _("Place not stated")

    @property
    def running_title(self) -> str:
        if self.country is None:
            return self.title
        return f"{self.country.display_name} › {self.title}"

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.ids) - 1


@dataclass(frozen=True)
class Entry:
    number: int
    name: str
    address: str
    phones: list[str]
    emails: list[str]
    web: list[str]
    typology: str
    themes: list[str]


class _Places:
    """The zones' tree, to find the country and region of any zone."""

    def __init__(self):
        self.zones = {zone.pk: zone for zone in Zone.objects.all()}
        ordered = in_tree_order(self.zones.values(), self.zones.values())
        self.rank = {zone.pk: position for position, zone in enumerate(ordered)}

    def at_level(self, zone_id: int, level: str) -> Zone | None:
        zone = self.zones.get(zone_id)
        while zone is not None and zone.level != level:
            zone = self.zones.get(zone.parent_id)
        return zone


def plan_sections(ids: list[int]) -> list[Section]:
    """The sections of the PDF, in the zones' order, each with its organisations' ids in
    the order of ``ids``; two queries per chunk of ids, whatever their number."""
    places = _Places()
    seat_zone: dict[int, int] = {}
    # The first intervention zone in the zones' order, among those in a region if any.
    first_zone: dict[int, int] = {}
    for chunk in _chunks(ids):
        seats = of_ids(Office.objects, chunk).filter(kind=Office.Kind.SEAT, zone__isnull=False)
        for organisation_id, zone_id in seats.order_by("pk").values_list(
            "organisation_id", "zone_id"
        ):
            seat_zone.setdefault(organisation_id, zone_id)
        links = of_ids(OrganisationZone.objects, chunk).order_by()
        for organisation_id, zone_id in links.values_list("organisation_id", "zone_id"):
            current = first_zone.get(organisation_id)
            if current is None or _zone_key(places, zone_id) < _zone_key(places, current):
                first_zone[organisation_id] = zone_id
    sections: dict[tuple, Section] = {}
    for organisation_id in ids:
        seat = seat_zone.get(organisation_id)
        zone_id = seat if seat and places.at_level(seat, Zone.Level.REGION) else None
        zone_id = zone_id or first_zone.get(organisation_id) or seat
        region = places.at_level(zone_id, Zone.Level.REGION) if zone_id else None
        country = places.at_level(zone_id, Zone.Level.COUNTRY) if zone_id else None
        key = (country.pk if country else None, region.pk if region else None)
        if key not in sections:
            sections[key] = Section(country, region)
        sections[key].ids.append(organisation_id)
    ordered = sorted(sections.values(), key=lambda section: _section_key(places, section))
    number = 1
    for section in ordered:
        section.first_number = number
        number += len(section.ids)
    return ordered


def _zone_key(places: _Places, zone_id: int) -> tuple[int, int]:
    """Zones inside a region first, then in the zones' order."""
    in_region = places.at_level(zone_id, Zone.Level.REGION) is not None
    return (0 if in_region else 1, places.rank.get(zone_id, 0))


def _section_key(places: _Places, section: Section) -> tuple:
    """Countries in the zones' order, each with its regions then "region not stated";
    "place not stated" last."""
    if section.country is None:
        return (1, 0, 0)
    region_rank = places.rank[section.region.pk] if section.region else len(places.rank)
    return (0, places.rank[section.country.pk], region_rank)


class _Names:
    """Typologies' and themes' names in the language of the PDF."""

    def __init__(self):
        self.typologies = {t.pk: t.display_name for t in Typology.objects.all()}
        self.themes = {t.pk: t.display_name for t in Theme.objects.all()}


_ANNUAIRE_CELLS = {column.name: column.get for column in ANNUAIRE.columns}


def _split(text: str) -> list[str]:
    return [value for value in text.split(JOIN) if value]


def make_entry(
    number: int, record: OrganisationRecord, lookups: ExportLookups, names: _Names
) -> Entry:
    """One row of Tableau 13, its cells read as the annuaire's CSV and XLSX read them."""

    def cell(name: str) -> str:
        return _ANNUAIRE_CELLS[name](record, lookups)

    typology_id = record["typology_id"]
    return Entry(
        number=number,
        name=cell("name"),
        address=cell("seat_address"),
        phones=[format_international(phone) for phone in _split(cell("phones"))],
        emails=_split(cell("emails")),
        web=_split(cell("web")),
        typology=names.typologies[typology_id] if typology_id else "",
        themes=[names.themes[theme_id] for (theme_id,) in record.part("themes")],
    )


def filters_in_words(filterset: OrganisationFilterSet) -> list[tuple[str, str]]:
    """(label, values) of each active filter, as a reader says them: « Zone: Kayes, Gao »."""
    data = filterset.form.cleaned_data
    words = []
    for name in OrganisationFilterSet.FILTER_NAMES:
        value = data.get(name)
        if not value:
            continue
        label = str(filterset.filters[name].label)
        if isinstance(value, str):
            words.append((label, f"« {value} »"))
            continue
        choices = dict(filterset.filters[name].extra.get("choices") or ())
        values = [
            str(choices.get(v, v)) if isinstance(v, str) else getattr(v, "display_name", str(v))
            for v in value
        ]
        words.append((label, ", ".join(values)))
    return words


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    size = chunk_size()
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _sources(ids: list[int]) -> list[str]:
    """The documents the organisations' records come from, each once."""
    used = set()
    for chunk in _chunks(ids):
        used.update(of_ids(Organisation.objects, chunk, "id").values_list("source_id", flat=True))
    documents = (
        Source.objects.filter(pk__in=used - {None})
        .order_by("year", "document")
        .values_list("document", "year")
        .distinct()
    )
    return [f"{document} ({year})" if year else document for document, year in documents]


def _parts(sections: list[Section]) -> Iterator[tuple[Section, int, list[int]]]:
    """(section, position in it, ids) of each part: a part never spans two sections."""
    for section in sections:
        for start in range(0, len(section.ids), ENTRIES_PER_PART):
            yield section, start, section.ids[start : start + ENTRIES_PER_PART]


def write_annuaire_pdf(
    output: BinaryIO,
    selection: Selection,
    list_url: str,
    report: Callable[..., None] = lambda *args: None,
) -> int:
    """Write the PDF of the ``selection``'s organisations to ``output``; how many it holds.

    ``report(done, total, message)`` follows the progress (a background job's)."""
    filterset = selection.filterset
    sections = plan_sections(selection.ids)
    total = sum(len(section.ids) for section in sections)
    report(0, total, _("Laying out the pages"))
    front_context = {
        "title": _("Directory of civil-society organisations working on migration"),
        "filters": filters_in_words(filterset),
        "date": today(),
        "sources": _sources(selection.ids),
        "total": total,
        "sections": sections,
        "list_url": list_url,
        "contact": settings.CONSORTIUM_CONTACT,
    }
    css = render_to_string("exports/annuaire_pdf.css", {"date": today()})
    # The cover and contents take the same pages whatever the page numbers they show.
    front_html = render_to_string("exports/annuaire_pdf_front.html", front_context)
    front_pages = render_pdf(front_html, css).pages
    lookups, names = ExportLookups(), _Names()
    headings = [str(ANNUAIRE.numbered_label), *(column.heading for column in ANNUAIRE.columns)]
    ordered_ids = [pk for section in sections for pk in section.ids]
    records = records_of_ids(ordered_ids, None, PDF_PARTS, lookups)
    done = 0
    with PartsWriter(css, first_page=front_pages + 1) as writer:
        for section, start, ids in _parts(sections):
            number = section.first_number + start
            entries = [
                make_entry(number + offset, record, lookups, names)
                for offset, record in enumerate(islice(records, len(ids)))
            ]
            page = writer.add(
                render_to_string(
                    "exports/annuaire_pdf_part.html",
                    {
                        "section": section,
                        "continued": start > 0,
                        "headings": headings,
                        "entries": entries,
                    },
                )
            )
            if start == 0:
                section.page = page
            done += len(ids)
            report(done, total, _("Laying out the pages"))
        front = render_pdf(render_to_string("exports/annuaire_pdf_front.html", front_context), css)
        if front.pages != front_pages:  # cannot happen: see PLACEHOLDER_PAGE
            raise RuntimeError("The cover and contents changed length with their page numbers.")
        bookmarks = [(_("Contents"), 2 if front_pages > 1 else 1)] + [
            (section.running_title, section.page) for section in sections
        ]
        writer.join(output, front.pdf, bookmarks)
    return total
