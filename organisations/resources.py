"""Import and export of the catalogues (django-import-export resources).

Every column is named here and every row and relation is found by a natural key (a slug, a
code, an ISO code, a zone path), never by a database id, so a file exported from one
database loads into another. A row that would change nothing is skipped and reported as
such; a row naming something unknown gets an error and the whole file is refused.

``NaturalKeys`` holds the rows an import has read or written, so that an import reads each
table once rather than once per row (the Mali seed shares one across its catalogues).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import ModelResource

from common.formulas import neutralise, restore
from organisations.models import Partner, Source, Theme, ThemeGroup, Typology, Zone

# A zone path as the full export writes it: "Mali > Kayes > Bafoulabé".
PATH_SEPARATOR = " > "


class NaturalKeys:
    """Rows by (model, key field, key value), read from the database at most once per key."""

    def __init__(self):
        self._rows: dict[tuple[type[models.Model], str], dict] = {}

    def remember(self, model: type[models.Model], field: str, rows: Iterable) -> None:
        known = self._rows.setdefault((model, field), {})
        for row in rows:
            key = getattr(row, field)
            if key not in ("", None):
                known[key] = row

    def find(self, model: type[models.Model], field: str, key):
        known = self._rows.setdefault((model, field), {})
        if key not in known:
            found = model._default_manager.filter(**{field: key}).first()
            if found is None:
                return None
            known[key] = found
        return known[key]


class NaturalKeyLookupMixin:
    """A widget naming related rows by one of their unique values; unknown values are refused."""

    def __init__(self, model: type[models.Model], field: str):
        super().__init__(model, field=field)
        self.natural_keys = NaturalKeys()  # the resource gives its own (see CatalogueResource)

    def find_all(self, keys: list[str]) -> list:
        found = [self.natural_keys.find(self.model, self.field, key) for key in keys]
        unknown = [key for key, row in zip(keys, found, strict=True) if row is None]
        if unknown:
            raise ValueError(unknown_message(self.model, ", ".join(unknown)))
        return found


class NaturalKeyWidget(NaturalKeyLookupMixin, widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        key = _as_key(value)
        return self.find_all([key])[0] if key else None


class NaturalKeysWidget(NaturalKeyLookupMixin, widgets.ManyToManyWidget):
    """Several related rows, their keys separated by commas: "ML,BF,SN"."""

    def clean(self, value, row=None, **kwargs):
        keys = [_as_key(part) for part in str(value or "").split(",")]
        return self.find_all([key for key in keys if key])


def _as_key(value) -> str | None:
    """A cell as a key: spreadsheets give numbers for codes such as 01."""
    text = str(value).strip() if value is not None else ""
    return text or None


def unknown_message(model: type[models.Model], key: str) -> str:
    return _("Not found among the %(what)s: “%(key)s”. Create it first or correct the cell.") % {
        "what": model._meta.verbose_name_plural,
        "key": key,
    }


class NaturalKeyInstanceLoader(BaseInstanceLoader):
    """Finds a row's existing instance by the resource's natural key, reading the table once."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        rows = list(resource.get_queryset())
        self.by_key = {self._stored_key(row): row for row in rows}
        if len(self.key_fields) == 1:
            resource.natural_keys.remember(resource._meta.model, self.key_fields[0].attribute, rows)

    def _stored_key(self, instance) -> tuple:
        model_meta = self.resource._meta.model._meta
        return tuple(
            getattr(instance, model_meta.get_field(field.attribute).attname)
            for field in self.key_fields
        )

    def get_instance(self, row):
        try:
            values = [field.clean(row) for field in self.key_fields]
        except ValueError:
            return None  # an unknown related key: the row's own error says so
        key = tuple(value.pk if isinstance(value, models.Model) else value for value in values)
        return self.by_key.get(key)


class CatalogueResource(ModelResource):
    """What every catalogue resource shares: natural keys, unchanged rows skipped and listed."""

    def __init__(self, natural_keys: NaturalKeys | None = None, **kwargs):
        super().__init__(**kwargs)
        self.natural_keys = natural_keys or NaturalKeys()
        for field in self.fields.values():
            if isinstance(field.widget, NaturalKeyLookupMixin):
                field.widget.natural_keys = self.natural_keys

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # required fields, choices, uniqueness: per-row errors
        instance_loader_class = NaturalKeyInstanceLoader

    def get_queryset(self):
        # Related rows come with each row: the preview compares them without a query each.
        foreign = [
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, widgets.ForeignKeyWidget)
        ]
        many = [
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, widgets.ManyToManyWidget)
        ]
        return super().get_queryset().select_related(*foreign).prefetch_related(*many)

    def export_field(self, field, instance, **kwargs):
        # A cell that a spreadsheet would run as a formula is written as text.
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value

    def before_import(self, dataset, **kwargs):
        # The values behind cells export_field wrote as text.
        rows = [
            [restore(cell) if isinstance(cell, str) else cell for cell in row] for row in dataset
        ]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)

    def import_instance(self, instance, row, **kwargs):
        # Many-to-many cells are saved after the row; check them now, with the row's errors.
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        # Later rows of the same file may name this one (a parent family, a group).
        key_fields = self.get_import_id_fields()
        if len(key_fields) == 1:
            attribute = self.fields[key_fields[0]].attribute
            self.natural_keys.remember(type(instance), attribute, [instance])


class NumberCellMixin:
    """Numbers leave as numbers (12.639 in CSV, a number cell in Excel); a bad cell is refused."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (ArithmeticError, ValueError):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None


class IntegerCell(NumberCellMixin, widgets.IntegerWidget):
    pass


class DecimalCell(NumberCellMixin, widgets.DecimalWidget):
    pass


class ChoiceCell(widgets.CharWidget):
    """One of a model field's codes (``national``, ``region``…); any other value is refused."""

    def __init__(self, choices):
        super().__init__()
        self.codes = [code for code, _label in choices]

    def clean(self, value, row=None, **kwargs):
        code = _as_key(value) or ""
        if code not in self.codes:
            raise ValueError(
                _("“%(value)s” is not one of: %(codes)s.")
                % {"value": code, "codes": ", ".join(self.codes)}
            )
        return code


def choice(name: str, choices) -> Field:
    return Field(attribute=name, column_name=name, widget=ChoiceCell(choices))


def text(name: str) -> Field:
    return Field(attribute=name, column_name=name, widget=widgets.CharWidget())


def number(name: str) -> Field:
    return Field(attribute=name, column_name=name, widget=IntegerCell())


def related(name: str, model: type[models.Model], key: str) -> Field:
    """A column naming one related row by its ``key`` (a slug, a code)."""
    return Field(attribute=name, column_name=name, widget=NaturalKeyWidget(model, key))


def source_column() -> Field:
    return related("source", Source, "code")


class SlugResource(CatalogueResource):
    """A catalogue whose rows are known by their slug, named in French and English."""

    slug = text("slug")
    name = text("name")
    name_en = text("name_en")

    class Meta(CatalogueResource.Meta):
        import_id_fields = ["slug"]


class TypologyResource(SlugResource):
    parent = related("parent", Typology, "slug")
    position = number("position")
    description = text("description")
    themes = text("themes")
    financial_capacity = text("financial_capacity")
    financial_capacity_bands = text("financial_capacity_bands")
    partners = text("partners")
    problems = text("problems")
    added_value = text("added_value")
    source = source_column()

    class Meta(SlugResource.Meta):
        model = Typology
        fields = [
            "slug", "name", "name_en", "parent", "position", "description", "themes",
            "financial_capacity", "financial_capacity_bands", "partners", "problems",
            "added_value", "source",
        ]  # fmt: skip


class ThemeGroupResource(SlugResource):
    position = number("position")

    class Meta(SlugResource.Meta):
        model = ThemeGroup
        fields = ["slug", "name", "name_en", "position"]


class ThemeResource(SlugResource):
    group = related("group", ThemeGroup, "slug")
    description = text("description")
    position = number("position")
    source = source_column()

    class Meta(SlugResource.Meta):
        model = Theme
        fields = ["slug", "name", "name_en", "group", "description", "position", "source"]


class PartnerResource(SlugResource):
    acronym = text("acronym")
    kind = choice("kind", Partner.Kind.choices)
    country = related("country", Zone, "iso_code")
    website = text("website")
    description = text("description")
    source = source_column()

    class Meta(SlugResource.Meta):
        model = Partner
        fields = ["slug", "name", "acronym", "kind", "country", "website", "description", "source"]


class ZoneParentWidget(widgets.ForeignKeyWidget):
    """A zone's parent by its official code (P-code) or ISO code, else by its path.

    The cell holds the code; when it is empty the row's ``parent_path`` is read
    ("Mali > Kayes"). Only a country may have neither.
    """

    def __init__(self):
        super().__init__(Zone, field="official_code")

    def clean(self, value, row=None, **kwargs):
        row = row or {}
        code = _as_key(value)
        path = _as_key(row.get("parent_path"))
        if code:
            return zone_with_code(code)
        if path:
            return zone_at_path(path)
        if row.get("level") != Zone.Level.COUNTRY:
            raise ValueError(_("Only a country has no parent: give parent_code or parent_path."))
        return None

    def render(self, value, obj=None, **kwargs):
        return zone_code(value) if value else ""


def zone_code(zone: Zone) -> str:
    return zone.official_code or zone.iso_code


def zone_with_code(code: str) -> Zone:
    found = list(Zone.objects.filter(Q(official_code=code) | Q(iso_code=code))[:2])
    if not found:
        raise ValueError(_("No zone has the code “%(code)s”.") % {"code": code})
    if len(found) > 1:
        raise ValueError(_("Several zones have the code “%(code)s”.") % {"code": code})
    return found[0]


def zone_at_path(path: str) -> Zone:
    """The zone at "Country > Region > …", one name per level, from the country down."""
    zone = None
    for name in (part.strip() for part in path.split(PATH_SEPARATOR.strip())):
        found = list(Zone.objects.filter(parent=zone, name=name)[:2])
        if len(found) != 1:
            message = (
                _("No zone “%(name)s” in the path “%(path)s”.")
                if not found
                else _("Several zones are called “%(name)s” in the path “%(path)s”.")
            )
            raise ValueError(message % {"name": name, "path": path})
        zone = found[0]
    return zone


# OCHA COD-AB administrative levels (ADM0…ADM4) as the directory's zone levels.
CODAB_LEVELS = {
    0: Zone.Level.COUNTRY,
    1: Zone.Level.REGION,
    2: Zone.Level.CERCLE,
    3: Zone.Level.COMMUNE,
    4: Zone.Level.LOCALITY,
}


def codab_to_flat(headers: list[str], rows: Iterable[dict]) -> tuple[list[str], list[list]]:
    """A COD-AB table (ADM0_PCODE, ADM1_PCODE, ADM1_FR…) as the flat zone columns.

    Each row of a COD-AB table names a unit and all its ancestors; every unit becomes one
    row (first occurrence), its parent given by the P-code of the level above. Names are
    taken in French (ADMn_FR), else in English (ADMn_EN), which also fills name_en.
    """
    levels = [level for level in CODAB_LEVELS if f"ADM{level}_PCODE" in headers]
    with_english = any(f"ADM{level}_EN" in headers for level in levels)
    flat_headers = ["code", "name", "level", "parent_code"] + (["name_en"] if with_english else [])
    flat_rows, seen = [], set()
    for row in rows:
        for level in levels:
            code = _as_key(row.get(f"ADM{level}_PCODE"))
            if code is None or code in seen:
                continue
            seen.add(code)
            english = _as_key(row.get(f"ADM{level}_EN")) or ""
            name = _as_key(row.get(f"ADM{level}_FR")) or english
            parent = (_as_key(row.get(f"ADM{level - 1}_PCODE")) or "") if level else ""
            values = [code, name, CODAB_LEVELS[level], parent]
            flat_rows.append(values + ([english] if with_english else []))
    return flat_headers, flat_rows


class ZoneResource(CatalogueResource):
    """Zones in the flat form ``code, name, level, parent_code`` (README, "Catalogues").

    A row is the zone with its official code (or ISO code), else with its ISO code, else
    the zone of that name and level under the row's parent. A COD-AB table is read too.
    """

    code = Field(attribute="official_code", column_name="code", widget=widgets.CharWidget())
    name = text("name")
    name_en = text("name_en")
    level = choice("level", Zone.Level.choices)
    parent = Field(attribute="parent", column_name="parent_code", widget=ZoneParentWidget())
    parent_path = Field(attribute=None, column_name="parent_path", readonly=True)
    iso_code = text("iso_code")
    iso_numeric = text("iso_numeric")
    aliases = text("aliases")
    latitude = Field(attribute="latitude", column_name="latitude", widget=DecimalCell())
    longitude = Field(attribute="longitude", column_name="longitude", widget=DecimalCell())

    class Meta(CatalogueResource.Meta):
        model = Zone
        import_id_fields = ["name", "level"]
        instance_loader_class = None  # get_instance below
        fields = [
            "code", "name", "name_en", "level", "parent", "parent_path", "iso_code",
            "iso_numeric", "aliases", "latitude", "longitude",
        ]  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._paths: dict[int, str] | None = None

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "ADM0_PCODE" in dataset.headers or "ADM1_PCODE" in dataset.headers:
            headers, rows = codab_to_flat(dataset.headers, dataset.dict)
            dataset.wipe()
            dataset.headers = headers
            for row in rows:
                dataset.append(row)
        if "parent_code" not in dataset.headers and len(dataset):
            dataset.append_col([""] * len(dataset), header="parent_code")

    def get_instance(self, instance_loader, row):
        zones = Zone.objects.select_related("parent")
        code, iso_code = _as_key(row.get("code")), _as_key(row.get("iso_code"))
        for lookup in (
            {"official_code": code},
            {"iso_code": code},
            {"iso_code": iso_code},
        ):
            value = next(iter(lookup.values()))
            if value and (found := zones.filter(**lookup).first()):
                return found
        try:
            parent = self.fields["parent"].clean(row)
        except ValueError:
            return None  # the row's own error names the unknown parent
        return zones.filter(parent=parent, level=row.get("level"), name=row.get("name")).first()

    def dehydrate_parent_path(self, zone: Zone) -> str:
        if self._paths is None:
            self._paths = zone_paths()
        return self._paths.get(zone.parent_id, "")


def zone_paths() -> dict[int, str]:
    """Every zone's path of names, "Mali > Kayes > Bafoulabé", in one query."""
    rows = {
        pk: (name, parent) for pk, name, parent in Zone.objects.values_list("pk", "name", "parent")
    }
    paths: dict[int, str] = {}

    def path(pk: int) -> str:
        if pk not in paths:
            name, parent = rows[pk]
            paths[pk] = f"{path(parent)}{PATH_SEPARATOR}{name}" if parent else name
        return paths[pk]

    for pk in rows:
        path(pk)
    return paths
