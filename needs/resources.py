"""Import and export of the needs catalogue (see organisations/resources.py)."""

from import_export.fields import Field

from needs.models import NeedActivity, NeedCategory
from organisations.resources import (
    CatalogueResource,
    NaturalKeyWidget,
    number,
    source_column,
    text,
)


class NeedCategoryResource(CatalogueResource):
    slug = text("slug")
    position = number("position")
    name = text("name")
    name_en = text("name_en")
    description = text("description")
    source = source_column()

    class Meta(CatalogueResource.Meta):
        model = NeedCategory
        import_id_fields = ["slug"]
        fields = ["slug", "position", "name", "name_en", "description", "source"]


class NeedActivityResource(CatalogueResource):
    """An activity is known by its category and its position in it (Tableau 12's order)."""

    category = Field(
        attribute="category", column_name="category", widget=NaturalKeyWidget(NeedCategory, "slug")
    )
    position = number("position")
    subgroup = text("subgroup")
    name = text("name")
    name_en = text("name_en")

    class Meta(CatalogueResource.Meta):
        model = NeedActivity
        import_id_fields = ["category", "position"]
        fields = ["category", "position", "subgroup", "name", "name_en"]
