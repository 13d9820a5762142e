"""The needs catalogue of the Mali 2022 synthesis (fixtures/mali-2022/needs.yaml), loaded
with the rest of the seed (see organisations/seed.py)."""

from needs.models import NeedActivity, NeedCategory
from organisations.seed import MaliSeed, contribute, read_yaml


@contribute
def load_needs(seed: MaliSeed) -> None:
    source = seed.source("mali-2022-t12")
    categories = seed.table(NeedCategory, "slug")
    activities = seed.table(NeedActivity, "category_id", "position")
    for entry in read_yaml("needs.yaml"):
        category = categories.put(
            slug=entry["slug"],
            position=entry["position"],
            name=entry["name"],
            name_en=entry["name_en"],
            description=entry.get("description", ""),
            source_id=source.pk,
        )
        for position, activity in enumerate(entry["activities"], start=1):
            activities.put(
                category_id=category.pk,
                position=position,
                name=activity["name"],
                name_en=activity.get("name_en", ""),
                subgroup=activity.get("subgroup", ""),
            )
