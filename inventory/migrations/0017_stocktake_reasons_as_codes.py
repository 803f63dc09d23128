"""Reasons written by code are stored as codes, said in each reader's language.

A difference's "why no disposal case" becomes refusals (`assets.refusals`). A text stored
before keeps its words, as written (there is no telling back which rule, in which language,
wrote it); the next posting or case opened for it writes codes.
"""

from django.db import migrations, models


def text_to_refusals(apps, schema_editor):
    Difference = apps.get_model("inventory", "Difference")
    rows = list(Difference.objects.exclude(disposal_problem="").only("pk", "disposal_problem"))
    for row in rows:
        row.disposal_refusals = [{"code": "as_written", "params": {"text": row.disposal_problem}}]
    Difference.objects.bulk_update(rows, ["disposal_refusals"], batch_size=2000)


def refusals_to_text(apps, schema_editor):
    # Back to one text: a coded refusal in the default language, a stored one as written.
    from django.conf import settings
    from django.utils import translation

    from assets.refusals import stored_text

    Difference = apps.get_model("inventory", "Difference")
    rows = list(Difference.objects.exclude(disposal_refusals=[]))
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            row.disposal_problem = stored_text(row.disposal_refusals)
    Difference.objects.bulk_update(rows, ["disposal_problem"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0016_notification_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="difference",
            name="disposal_refusals",
            field=models.JSONField(
                blank=True, db_default=[], default=list, verbose_name="why no disposal case"
            ),
        ),
        migrations.RunPython(text_to_refusals, refusals_to_text),
        migrations.RemoveField(
            model_name="difference",
            name="disposal_problem",
        ),
    ]
