# The schema half of 0003, in a migration of its own: PostgreSQL refuses to alter a table in
# the transaction that just updated its rows ("pending trigger events").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0003_job_results_and_inputs'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='job',
            name='job_kind_valid',
        ),
        migrations.RemoveField(
            model_name='job',
            name='import_batch',
        ),
        migrations.AlterField(
            model_name='job',
            name='kind',
            field=models.CharField(max_length=40, verbose_name='kind'),
        ),
    ]
