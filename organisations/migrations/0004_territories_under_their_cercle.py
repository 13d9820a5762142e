"""Guidimakha and Diombougou, territories of the cercle of Kayes, were loaded directly under
Mali by earlier seeds and showed among its regions: move them under their cercle (the seed
now places them there; this mends databases seeded before)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

TERRITORIES = ["Guidimakha", "Diombougou"]


def move_under_kayes(apps, schema_editor):
    Zone = apps.get_model("organisations", "Zone")
    for territory in Zone.objects.filter(
        name__in=TERRITORIES, level="territory", parent__level="country"
    ):
        cercle = Zone.objects.filter(
            name="Kayes", level="cercle", parent__name="Kayes", parent__parent=territory.parent
        ).first()
        if cercle is None:
            continue
        old_path, new_path = territory.path, f"{cercle.path}{territory.pk}/"
        Zone.objects.filter(pk=territory.pk).update(parent=cercle)
        # The territory and everything below it: their paths start with the new one.
        Zone.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_directory_search_and_sort_indexes")]

    operations = [migrations.RunPython(move_under_kayes, migrations.RunPython.noop)]
