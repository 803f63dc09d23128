from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_embedded_hosts(apps, schema_editor):
    """Campaigns activated before the flag existed: flag their hosts as activation now does."""
    line = apps.get_model("inventory", "StocktakeLine")
    components = line.objects.filter(
        campaign=OuterRef("campaign"), parent_id=OuterRef("asset_id"), embedded=True
    )
    line.objects.filter(Exists(components)).update(hosts_embedded=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_difference_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="stocktakeline",
            name="hosts_embedded",
            field=models.BooleanField(default=False, verbose_name="hosts embedded devices"),
        ),
        migrations.RunPython(mark_embedded_hosts, migrations.RunPython.noop),
    ]
