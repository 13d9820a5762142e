"""The needs catalogue of the Mali 2022 synthesis (fixtures/mali-2022/needs.yaml), loaded
with the rest of the seed (see organisations/seed.py)."""

from needs.resources import NeedActivityResource, NeedCategoryResource
from organisations.seed import MaliSeed, contribute, read_yaml


@contribute
def load_needs(seed: MaliSeed) -> None:
    source = seed.source("mali-2022-t12")
    entries = read_yaml("needs.yaml")
    categories = [
        {
            "slug": entry["slug"],
            "position": entry["position"],
            "name": entry["name"],
            "name_en": entry["name_en"],
            "description": entry.get("description", ""),
            "source": source.code,
        }
        for entry in entries
    ]
    seed.import_catalogue(NeedCategoryResource, categories)
    activities = [
        {
            "category": entry["slug"],
            "position": position,
            "name": activity["name"],
            "name_en": activity.get("name_en", ""),
            "subgroup": activity.get("subgroup", ""),
        }
        for entry in entries
        for position, activity in enumerate(entry["activities"], start=1)
    ]
    seed.import_catalogue(NeedActivityResource, activities)
