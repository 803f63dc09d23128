"""Reasons written by code are stored as codes, said in each reader's language.

A difference's "why no disposal case" becomes refusals (`assets.refusals`). A text stored
before keeps its words, as written (there is no telling back which rule, in which language,
wrote it); the next posting or case opened for it writes codes.

A line a close counted as away for repair said so in a note, in the closer's language: it is
verified by its repair record instead (a code), and its place is the repairer of the repair that
was under way when it was counted.
"""

from django.db import migrations, models
from django.utils import timezone


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


# The note closing wrote, in either language it could be written in.
REPAIR_NOTES = ("Away for repair (see the card's repair record).", "送修在外（见卡片的维修记录）。")
METHODS = [
    ("scan_own_label", "Own label scanned"),
    ("via_host", "Confirmed through its host"),
    ("sn_match", "Serial number matched"),
    ("photo", "Photo"),
    ("manual", "Manual count without a label"),
    ("typed_tag", "Tag typed, no label scanned"),
    ("custodian", "Confirmed by its holder"),
    ("repair_record", "Its repair record (away for repair)"),
]


def repair_notes_to_method(apps, schema_editor):
    StocktakeLine = apps.get_model("inventory", "StocktakeLine")
    RepairRecord = apps.get_model("assets", "RepairRecord")
    lines = list(
        StocktakeLine.objects.filter(
            result="found_elsewhere", note__in=REPAIR_NOTES, counted_location__isnull=True
        )
    )
    for line in lines:
        on = timezone.localdate(line.counted_at) if line.counted_at else None
        repairs = RepairRecord.objects.filter(asset_id=line.asset_id, started_on__isnull=False)
        if on is not None:
            repairs = repairs.filter(started_on__lte=on).exclude(finished_on__lt=on)
        repair = repairs.order_by("-started_on", "-pk").first()
        line.verify_method = "repair_record"
        line.note = ""
        line.away_at = repair.vendor if repair else ""
    StocktakeLine.objects.bulk_update(lines, ["verify_method", "note", "away_at"], batch_size=2000)


def method_to_repair_notes(apps, schema_editor):
    StocktakeLine = apps.get_model("inventory", "StocktakeLine")
    StocktakeLine.objects.filter(verify_method="repair_record").update(
        verify_method="", note=REPAIR_NOTES[0]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0016_notification_facts"),
        ("assets", "0011_custody_and_upkeep"),
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
        migrations.AddField(
            model_name="stocktakeline",
            name="away_at",
            field=models.CharField(
                blank=True, db_default="", max_length=200, verbose_name="away at"
            ),
        ),
        migrations.AlterField(
            model_name="stocktakecount",
            name="verify_method",
            field=models.CharField(choices=METHODS, max_length=16, verbose_name="verified by"),
        ),
        migrations.AlterField(
            model_name="stocktakeline",
            name="verify_method",
            field=models.CharField(
                blank=True, choices=METHODS, max_length=16, verbose_name="verified by"
            ),
        ),
        migrations.RunPython(repair_notes_to_method, method_to_repair_notes),
    ]
