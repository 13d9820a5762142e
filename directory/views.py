"""The public directory: every queryset starts from organisations/visibility.py."""

import csv
import datetime
from collections import defaultdict
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.formulas import neutralise
from common.numbers import parse_id
from common.pdf import render_pdf
from directory import gaps, maps
from directory.facet_index import EMPTY, Audience, Ordering, facet_index
from directory.facets import build_facets
from directory.filters import OrganisationFilterSet
from directory.find_help import (
    FindHelpForm,
    HelpCatalogues,
    indexed_services,
    ways_to_reach,
    with_ways_to_reach,
)
from directory.listing import Listing
from directory.referral import related_in_index
from directory.zone_order import in_tree_order
from needs.visibility import visible_needs
from networks.models import Membership, Network
from organisations.models import (
    Office,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
    Theme,
    ThemeGroup,
    Typology,
    Zone,
    ZoneIndicator,
)
from organisations.visibility import (
    visible_channels,
    visible_contact_persons,
    visible_organisations,
)
from services.models import PopulationGroup, zone_and_ancestor_ids
from services.visibility import visible_services

PAGE_SIZE = 20
# Network, theme and zone pages show this many organisations, then link to the list.
PREVIEW_SIZE = 20


def list_url(**params) -> str:
    return reverse("directory:organisation_list") + ("?" + urlencode(params) if params else "")


def _with_list_details(organisations):
    """What a row of a list shows, in a fixed number of queries whatever the rows."""
    return organisations.select_related("typology", "typology__parent").prefetch_related(
        Prefetch("zone_links", OrganisationZone.objects.select_related("zone")),
        Prefetch("theme_links", OrganisationTheme.objects.select_related("theme")),
    )


def _preview(user, **criteria) -> dict:
    """The first organisations by name the list gives for ``criteria`` (a filter's name
    and its values, as a FilterSet cleans them), and how many it gives in all."""
    index, audience = facet_index(), Audience.of(user)
    result = index.matches(criteria, audience)
    ids = index.page(result, Ordering(), 0, PREVIEW_SIZE)
    found = _with_list_details(visible_organisations(user)).in_bulk(ids)
    return {"organisations": [found[pk] for pk in ids if pk in found], "total": len(result)}


def _directory_counts(user) -> dict:
    """How many organisations ``user`` sees, in all (key "total") and by typology,
    registration, zone (with everything below it), theme, network…: the facet counts of
    the unfiltered list."""
    return facet_index().search({}, Audience.of(user))[1]


def _placed_zones(zone_counts: dict[int, int]) -> list[Zone]:
    """The countries and regions where some organisations work."""
    zones = list(
        Zone.objects.filter(
            pk__in=list(zone_counts), level__in=[Zone.Level.COUNTRY, Zone.Level.REGION]
        )
    )
    return in_tree_order(zones, zones)


def _regions_by_country(zones: list[Zone]) -> list[tuple[Zone, int]]:
    """Each country with how many of its regions appear in ``zones`` (its regions only: a
    French region is not one of the regions the directory covers in Mali)."""
    return [
        (country, count)
        for country in zones
        if country.level == Zone.Level.COUNTRY
        and (count := sum(1 for z in zones if z.parent_id == country.pk))
    ]


def _region_maps(zones: list[Zone], counts: dict[int, int]) -> list[maps.Map]:
    """A map of regions for each country whose regions can be placed."""
    region_maps = []
    for country in (z for z in zones if z.level == Zone.Level.COUNTRY):
        regions = [z for z in zones if z.parent_id == country.pk]
        region_map = maps.regions_map(country, regions, counts)
        if region_map:
            region_maps.append(region_map)
    return region_maps


def home(request: HttpRequest) -> HttpResponse:
    counts = _directory_counts(request.user)
    zone_counts = counts.get("zone", {})
    zones = _placed_zones(zone_counts)
    by_typology = defaultdict(int)
    typologies = list(Typology.objects.all())
    for typology in typologies:
        by_typology[typology.parent_id or typology.pk] += counts["typology"].get(typology.pk, 0)
    families = [
        (t, by_typology[t.pk], list_url(typology=t.slug))
        for t in typologies
        if t.parent_id is None and by_typology.get(t.pk)
    ]
    regions = [z for z in zones if z.level == Zone.Level.REGION]
    theme_counts = counts.get("theme", {})
    themes = [
        (t, theme_counts[t.pk], list_url(theme=t.slug))
        for t in Theme.objects.all()
        if theme_counts.get(t.pk)
    ]
    context = {
        "total": counts["total"][None],
        "families": families,
        "regions": [(z, zone_counts[z.pk], list_url(zone=z.pk)) for z in regions],
        "regions_by_country": _regions_by_country(zones),
        "themes": themes,
        "region_maps": _region_maps(zones, zone_counts),
    }
    return render(request, "directory/home.html", context)


def _bad_request(request: HttpRequest, errors: list[tuple[str, list[str]]]) -> HttpResponse:
    """A malformed list address: say which value is wrong, in the visitor's language."""
    return render(request, "directory/bad_request.html", {"errors": errors}, status=400)


def organisation_list(request: HttpRequest) -> HttpResponse:
    filterset = OrganisationFilterSet(request.GET, request=request)
    if not filterset.is_valid():
        errors = [
            (filterset.filters[name].label, messages) for name, messages in filterset.errors.items()
        ]
        return _bad_request(request, errors)
    search = filterset.form.cleaned_data.get("q") or ""
    listing = Listing(filterset, Audience.of(request.user))
    facets, total = build_facets(filterset, listing.counts, listing.index.catalogues)
    results = listing.results(_with_list_details(visible_organisations(request.user)))
    paginator = Paginator(results, PAGE_SIZE)
    paginator.count = total  # counted with the facets: no COUNT query of its own
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return _bad_request(request, [(_("Page"), [_("This page number does not exist.")])])
    query = request.GET.copy()
    query.pop("page", None)
    option_labels = {(f.name, o.value): o.label for f in facets for o in f.options}
    widen = []
    for name, raw, label in filterset.active_filters():
        narrower = query.copy()
        narrower.setlist(name, [v for v in query.getlist(name) if v != raw])
        value_label = option_labels.get((name, raw), raw)
        widen.append((label, value_label, list_url() + "?" + narrower.urlencode()))
    context = {
        "filterset": filterset,
        "facets": facets,
        "page": page,
        "paginator": paginator,
        "query_string": query.urlencode(),
        "widen": widen,
        "search": search,
        "sort": filterset.form.cleaned_data.get("sort") or ("relevance" if search else "name"),
    }
    return render(request, "directory/organisation_list.html", context)


def _data_date(organisation: Organisation) -> datetime.datetime | int:
    """When the record was last brought up to date: the last change a person made (staff
    in the admin, a survey import), else the year of the report it comes from; never the day
    the seed was loaded on this machine (``updated_at``)."""
    edited = (
        organisation.history.filter(history_user__isnull=False)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if edited is None and organisation.source and organisation.source.year:
        return organisation.source.year
    return edited or organisation.updated_at


def _profile(organisations, slug: str) -> Organisation:
    """The organisation of ``slug`` with what its profile shows, in a fixed number of queries."""
    return get_object_or_404(
        organisations.select_related(
            "typology", "typology__parent", "registration_country", "source"
        ).prefetch_related(
            Prefetch("zone_links", OrganisationZone.objects.select_related("zone", "source")),
            Prefetch("theme_links", OrganisationTheme.objects.select_related("theme")),
            Prefetch("memberships", Membership.objects.select_related("network")),
            Prefetch("partnerships", Partnership.objects.select_related("partner")),
            "aliases",
            "offices__zone",
        ),
        slug=slug,
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    organisations = visible_organisations(user)
    organisation = _profile(organisations, slug)
    zones = [link.zone for link in organisation.zone_links.all()]
    region_ids = {int(p) for z in zones for p in z.path.strip("/").split("/")[:2]}
    placed_regions = [
        z
        for z in Zone.objects.filter(pk__in=region_ids, level=Zone.Level.REGION)
        if z.latitude is not None
    ]
    region_map = None
    if placed_regions:
        country = placed_regions[0].parent
        counts = {z.pk: 1 for z in placed_regions}
        region_map = maps.regions_map(country, placed_regions, counts)
    context = {
        "organisation": organisation,
        "data_date": _data_date(organisation),
        "zones": zones,
        "region_map": region_map,
        "channels": visible_channels(user).filter(organisation=organisation),
        "persons": visible_contact_persons(user).filter(organisation=organisation),
        "needs": visible_needs(user)
        .filter(organisation=organisation)
        .select_related("category", "activity"),
        "services": _with_reach(
            with_ways_to_reach(visible_services(user).filter(organisation=organisation), user)
        ),
        "referrals": related_in_index(organisation, facet_index(), Audience.of(user)),
    }
    return render(request, "directory/organisation_detail.html", context)


def organisation_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """The profile as one A4 page of PDF, to print or send: public data only, whoever asks
    (a publication format, as the annuaire)."""
    organisation = _profile(visible_organisations(None), slug)
    context = {
        "organisation": organisation,
        "data_date": _data_date(organisation),
        "zones": [link.zone for link in organisation.zone_links.all()],
        # The head office first: the sheet names the first few offices only.
        "offices": sorted(organisation.offices.all(), key=lambda o: o.kind != Office.Kind.SEAT),
        "channels": list(visible_channels(None).filter(organisation=organisation)),
        "persons": list(visible_contact_persons(None).filter(organisation=organisation)),
        "services": list(visible_services(None).filter(organisation=organisation)),
        "profile_url": request.build_absolute_uri(organisation.get_absolute_url()),
        "today": timezone.localdate(),
    }
    pdf = sheet_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fiche-{organisation.slug}.pdf"'
    return response


def sheet_pdf(context: dict) -> bytes:
    """The sheet on one page: in a smaller type, with a shorter description, when the
    organisation has too much to say for the usual one."""
    for compact in (False, True):
        sheet = render_pdf(
            render_to_string("directory/organisation_sheet.html", {**context, "compact": compact})
        )
        if sheet.pages == 1:
            break
    return sheet.pdf


def _with_reach(services) -> list:
    services = list(services)
    for service in services:
        service.reach = ways_to_reach(service)
    return services


def find_help(request: HttpRequest) -> HttpResponse:
    """Where you are and what you need → the services that serve that place."""
    catalogues = HelpCatalogues.load(request.user)
    form = FindHelpForm(request.GET, catalogues)
    if not form.is_valid():
        return _bad_request(request, form.errors_by_label())
    criteria = form.cleaned_data
    services = indexed_services(criteria, catalogues, request.user)
    paginator = Paginator(services, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return _bad_request(request, [(_("Page"), [_("This page number does not exist.")])])
    query = request.GET.copy()
    query.pop("page", None)
    zone = criteria.get("zone")
    context = {
        "form": form,
        "zone": zone,
        "ancestors": _place_links(_ancestors(zone, catalogues.zones), query),
        "narrower": _place_links(
            [z for z in catalogues.zones if z.parent_id == (zone.pk if zone else None)], query
        ),
        "page": page,
        "services": _with_reach(page.object_list),
        "query_string": query.urlencode(),
        "searched": bool(request.GET),
    }
    return render(request, "directory/find_help.html", context)


def _ancestors(zone, zones: list[Zone]) -> list[Zone]:
    if zone is None:
        return []
    by_id = {z.pk: z for z in zones}
    return [by_id[pk] for pk in zone_and_ancestor_ids(zone)[:-1] if pk in by_id]


def _place_links(zones: list[Zone], query) -> list[tuple[Zone, str]]:
    """A link to each place keeping the other choices: the way up and down the tree
    without JavaScript."""
    links = []
    for zone in zones:
        there = query.copy()
        there["zone"] = str(zone.pk)
        links.append((zone, reverse("directory:find_help") + "?" + there.urlencode()))
    return links


def network_list(request: HttpRequest) -> HttpResponse:
    counts = _directory_counts(request.user).get("network", {})
    headings = {
        Network.Level.NATIONAL: _("National networks"),
        Network.Level.AFRICAN: _("African networks"),
        Network.Level.INTERNATIONAL: _("International networks"),
    }
    levels = []
    for level in Network.Level:
        networks = [
            (n, counts.get(n.pk, 0)) for n in Network.objects.filter(level=level).order_by("name")
        ]
        if networks:
            levels.append((level, headings[level], networks))
    return render(request, "directory/network_list.html", {"levels": levels})


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(Network.objects.prefetch_related("countries"), slug=slug)
    record = network.organisation
    if record and not visible_organisations(request.user).filter(pk=record.pk).exists():
        record = None
    context = {
        "network": network,
        "record": record,
        "list_url": list_url(network=network.slug),
        **_preview(request.user, network=[network]),
    }
    return render(request, "directory/network_detail.html", context)


def theme_list(request: HttpRequest) -> HttpResponse:
    counts = _directory_counts(request.user).get("theme", {})
    themes = list(Theme.objects.select_related("group"))
    groups = [
        (group, [(t, counts.get(t.pk, 0)) for t in themes if t.group_id == group.pk])
        for group in ThemeGroup.objects.all()
    ]
    ungrouped = [(t, counts.get(t.pk, 0)) for t in themes if t.group_id is None]
    if ungrouped:
        groups.append((None, ungrouped))
    return render(request, "directory/theme_list.html", {"groups": [g for g in groups if g[1]]})


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("group", "source"), slug=slug)
    context = {
        "theme": theme,
        "list_url": list_url(theme=theme.slug),
        **_preview(request.user, theme=[theme]),
    }
    return render(request, "directory/theme_detail.html", context)


def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(Zone.objects.select_related("parent"), pk=pk)
    counts = _directory_counts(request.user).get("zone", {})
    children = [(z, counts[z.pk]) for z in zone.children.all() if counts.get(z.pk)]
    # In the order the report gives them (Tableau 1, then Tableau 8).
    order = {value: i for i, value in enumerate(ZoneIndicator.Indicator.values)}
    indicators = sorted(
        ZoneIndicator.objects.filter(zone=zone).select_related("source"),
        key=lambda indicator: order.get(indicator.indicator, len(order)),
    )
    context = {
        "zone": zone,
        "ancestors": zone.ancestors(),
        "children": children,
        "indicators": indicators,
        "list_url": list_url(zone=zone.pk),
        **_preview(request.user, zone=[zone]),
    }
    return render(request, "directory/zone_detail.html", context)


def _typology_rows(user, kinds) -> list[dict]:
    """Tableau 2 rows: each family counts its sub-groups (as its list link does),
    then each sub-group on its own row."""
    index, audience = facet_index(), Audience.of(user)
    registrations = index.facet_values(audience)["registration"]
    cells = defaultdict(int)
    for typology in [*index.catalogues.typologies, None]:
        if typology is None:
            chosen = index.values["typology"].get(None, EMPTY) & index.visible(audience)
        else:
            chosen = index.matches({"typology": [typology]}, audience)
        for kind, _label in kinds:
            cells[(typology and typology.pk, kind)] = chosen.intersection_cardinality(
                registrations.get(kind, EMPTY)
            )
    rows = []
    for typology in [*Typology.objects.select_related("parent"), None]:
        pk = typology.pk if typology else None
        counts = [cells[(pk, kind)] for kind, _label in kinds]
        if not any(counts):
            continue
        params = {"typology": typology.slug} if typology else None
        rows.append(
            {
                "typology": typology,
                "is_subgroup": bool(typology and typology.parent_id),
                "cells": [
                    (n, list_url(**params, registration=kind) if params else "")
                    for n, (kind, _label) in zip(counts, kinds, strict=True)
                ],
                "total": sum(counts),
                "url": list_url(**params) if params else "",
            }
        )
    # Families first, each followed by its sub-groups.
    order = {row["typology"].pk: i for i, row in enumerate(rows) if row["typology"]}
    rows.sort(
        key=lambda r: (
            order.get(r["typology"].parent_id, order.get(r["typology"].pk))
            if r["typology"]
            else len(rows),
            r["is_subgroup"],
        )
    )
    return rows


def statistics(request: HttpRequest) -> HttpResponse:
    counts = _directory_counts(request.user)
    by_kind = counts.get("registration", {})
    kinds = [(v, label) for v, label in Organisation.RegistrationKind.choices if by_kind.get(v)]
    column_totals = [(by_kind[kind], list_url(registration=kind)) for kind, _label in kinds]
    zone_counts = counts.get("zone", {})
    regions = list(
        Zone.objects.filter(level=Zone.Level.REGION, pk__in=list(zone_counts)).select_related(
            "parent"
        )
    )
    regions = in_tree_order(regions, [*regions, *(z.parent for z in regions if z.parent)])
    theme_counts = counts.get("theme", {})
    network_counts = counts.get("network", {})
    context = {
        "total": counts["total"][None],
        "kinds": [label for _v, label in kinds],
        "rows": _typology_rows(request.user, kinds),
        "column_totals": column_totals,
        "regions": [(z, zone_counts[z.pk], list_url(zone=z.pk)) for z in regions],
        "themes": [
            (t, theme_counts[t.pk], list_url(theme=t.slug))
            for t in Theme.objects.all()
            if theme_counts.get(t.pk)
        ],
        "networks": [
            (n, network_counts[n.pk], list_url(network=n.slug))
            for n in Network.objects.filter(pk__in=list(network_counts))
        ],
    }
    return render(request, "directory/statistics.html", context)


def map_view(request: HttpRequest) -> HttpResponse:
    """Where organisations work: regions and countries; with ``?zone=<region>``, that
    region's cercles; with ``?theme=`` or ``?population=``, the gaps page's counts."""
    index = facet_index()
    zones, themes = index.catalogues.zones, index.catalogues.themes
    populations = index.catalogues.populations
    slug, people_slug = request.GET.get("theme") or "", request.GET.get("population") or ""
    theme = next((t for t in themes if t.slug == slug), None)
    people = next((p for p in populations if p.slug == people_slug), None)
    raw_region = request.GET.get("zone") or ""
    region_id = parse_id(raw_region) if raw_region else None
    region = next((z for z in zones if z.pk == region_id and z.level == Zone.Level.REGION), None)
    errors = []
    if slug and theme is None:
        errors.append((_("Theme"), [_("This theme does not exist.")]))
    if people_slug and people is None:
        errors.append((_("People served"), [_("Choose people served from the list.")]))
    if raw_region and region is None:
        errors.append((_("Zone"), [_("Choose a region of the directory.")]))
    if errors:
        return _bad_request(request, errors)
    counts = _directory_counts(request.user).get("zone", {})
    placed = _placed_zones(counts)
    parents = [region] if region else gaps.countries_with_regions(zones)
    with_cercles = {z.parent_id for z in zones if z.level == Zone.Level.CERCLE}
    layers = {"theme": theme.slug} if theme else {}
    layers |= {"population": people.slug} if people else {}
    context = {
        "themes": themes,
        "theme": theme,
        "theme_maps": _theme_maps(theme, parents, index) if theme else [],
        "populations": populations,
        "people": people,
        "people_maps": _people_maps(people, parents, index) if people else [],
        "region": region,
        "region_maps": _cercles_maps(region, zones, counts)
        if region
        else _region_maps(placed, counts),
        "abroad_map": None
        if region
        else maps.countries_map(
            [z for z in placed if z.level == Zone.Level.COUNTRY],
            counts,
            _("Countries where they work"),
        ),
        "region_links": [
            (z, _map_url(zone=z.pk, **layers))
            for country in gaps.countries_with_regions(zones)
            for z in gaps.row_zones(country, zones)
            if z.pk in with_cercles
        ],
        "regions_url": _map_url(**layers),
    }
    return render(request, "directory/map.html", context)


def _map_url(**params) -> str:
    return reverse("directory:map") + ("?" + urlencode(params) if params else "")


def _rows_map(
    parent: Zone, zones: list[Zone], counts: dict[int, int], link: maps.Link, layer: str
) -> maps.Map | None:
    """The map of ``parent``'s rows on the gaps page (a country's regions, a region's
    cercles) counting ``counts``, those counting none marked; None when nothing can be drawn."""
    country = next(z for z in zones if z.pk == parent.parent_id) if parent.parent_id else parent
    title = "" if parent is country else parent.display_name
    rows = gaps.row_zones(parent, zones)
    counts = {z.pk: counts.get(z.pk, 0) for z in rows}
    return maps.regions_map(country, rows, counts, link, with_empty=True, layer=layer, title=title)


def _cercles_maps(region: Zone, zones: list[Zone], counts: dict[int, int]) -> list[maps.Map]:
    cercles_map = _rows_map(region, zones, counts, maps.list_url, "cercles")
    return [cercles_map] if cercles_map else []


def _theme_maps(theme: Theme, parents: list[Zone], index) -> list[maps.Map]:
    """For each of ``parents``, every row's count of published organisations on ``theme``
    (the gaps page's numbers), empty rows included."""
    zones = index.catalogues.zones
    theme_maps = []
    for parent in parents:
        counts = {z.pk: gaps.on_theme(index, z, theme) for z in gaps.row_zones(parent, zones)}
        theme_map = _rows_map(
            parent, zones, counts, lambda z: maps.list_url(z, {"theme": theme.slug}), "theme"
        )
        if theme_map:
            theme_maps.append(theme_map)
    return theme_maps


def _people_maps(people: PopulationGroup, parents: list[Zone], index) -> list[maps.Map]:
    """For each of ``parents``, every row's count of organisations with services for
    ``people`` there, each opening « Find help » (the gaps page's people column), empty rows
    included."""
    people_maps = []
    for parent in parents:
        matrix = gaps.people_matrix(parent, index)
        column = [c.slug for c in matrix.columns].index(people.slug)
        cells = {row.zone.pk: row.cells[column] for row in matrix.rows}
        people_map = _rows_map(
            parent,
            index.catalogues.zones,
            {pk: cell.count for pk, cell in cells.items()},
            lambda zone, cells=cells: cells[zone.pk].url,
            "people",
        )
        if people_map:
            people_maps.append(people_map)
    return people_maps


def _gaps_matrix(query: QueryDict, index) -> tuple[gaps.Matrix | None, list]:
    """The matrix the query string asks for (none when no country has regions), or the
    errors that say which value is wrong."""
    zones = index.catalogues.zones
    errors = []
    view = query.get("view") or gaps.THEMES
    if view not in gaps.VIEWS:
        errors.append((_("View"), [_("Choose themes or people served.")]))
    raw_zone = query.get("zone") or ""
    if raw_zone:
        pk = parse_id(raw_zone)
        parent = next((z for z in zones if z.pk == pk and z.level in gaps.ROW_LEVEL), None)
        if parent is None:
            errors.append((_("Zone"), [_("Choose a country or a region of the directory.")]))
    else:
        parent = next(iter(gaps.countries_with_regions(zones)), None)
    if errors or parent is None:
        return None, errors
    return gaps.build(parent, view, index), []


def _gaps_url(**params) -> str:
    return reverse("directory:gaps") + "?" + urlencode(params)


def gaps_page(request: HttpRequest) -> HttpResponse:
    """Where help is missing: organisations per zone and theme or people served."""
    index = facet_index()
    matrix, errors = _gaps_matrix(request.GET, index)
    if errors:
        return _bad_request(request, errors)
    context = {"matrix": matrix}
    if matrix:
        parent, view = matrix.parent, matrix.view
        zones = index.catalogues.zones
        drill = parent.level == Zone.Level.COUNTRY
        context |= {
            "countries": [
                (c, _gaps_url(zone=c.pk, view=view)) for c in gaps.countries_with_regions(zones)
            ],
            "rows": [
                (row, _gaps_url(zone=row.zone.pk, view=view) if drill else "")
                for row in matrix.rows
            ],
            "views": [
                (gaps.THEMES, _("Themes"), _gaps_url(zone=parent.pk, view=gaps.THEMES)),
                (gaps.PEOPLE, _("People served"), _gaps_url(zone=parent.pk, view=gaps.PEOPLE)),
            ],
            "csv_url": reverse("directory:gaps_csv")
            + "?"
            + urlencode({"zone": parent.pk, "view": view}),
            "themes": index.catalogues.themes,
            "populations": index.catalogues.populations,
        }
    return render(request, "directory/gaps.html", context)


def gaps_csv(request: HttpRequest) -> HttpResponse:
    """The matrix as CSV: one row per zone, one column per theme or people served."""
    matrix, errors = _gaps_matrix(request.GET, facet_index())
    if errors or matrix is None:
        problems = "; ".join(f"{label}: {' '.join(messages)}" for label, messages in errors)
        return HttpResponse(
            problems or _("No country has regions recorded."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    slug = slugify(matrix.parent.name) or str(matrix.parent.pk)
    response["Content-Disposition"] = f'attachment; filename="gaps-{slug}-{matrix.view}.csv"'
    writer = csv.writer(response, lineterminator="\r\n")
    response.write("\ufeff")  # so that Excel reads the accents
    everything = _("All themes") if matrix.view == gaps.THEMES else _("Any people served")
    writer.writerow(
        [
            neutralise(text)
            for text in [_("Zone"), _("Code"), everything, *(c.label for c in matrix.columns)]
        ]
    )
    for row in matrix.rows:
        counts = [row.total.count, *(cell.count for cell in row.cells)]
        writer.writerow([neutralise(row.zone.display_name), neutralise(row.code), *counts])
    return response
