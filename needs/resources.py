"""Import and export of the needs catalogue (see organisations/resources.py)."""

from needs.models import NeedActivity, NeedCategory
from organisations.resources import (
    CatalogueResource,
    SlugResource,
    number,
    related,
    source_column,
    text,
)


class NeedCategoryResource(SlugResource):
    position = number("position")
    description = text("description")
    source = source_column()

    class Meta(SlugResource.Meta):
        model = NeedCategory
        fields = ["slug", "position", "name", "name_en", "description", "source"]


class NeedActivityResource(CatalogueResource):
    """An activity is known by its category and its position in it (Tableau 12's order)."""

    category = related("category", NeedCategory, "slug")
    position = number("position")
    subgroup = text("subgroup")
    name = text("name")
    name_en = text("name_en")

    class Meta(CatalogueResource.Meta):
        model = NeedActivity
        import_id_fields = ["category", "position"]
        fields = ["category", "position", "subgroup", "name", "name_en"]
