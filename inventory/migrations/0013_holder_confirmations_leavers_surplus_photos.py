"""Issue 18: holders' confirmations on stocktake lines, the leaver's-list reminder kind, and the
count photos (surplus finds, embedded devices) moved onto the attachments as `stocktake_line:ID`
evidence. The copy keeps each line's `photo` path and file as they were: nothing is lost, and a
file the copy could not read (missing on this machine) is still served from the line."""

import hashlib
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_photos(apps, schema_editor):
    """One `photo` attachment per line with a legacy photo file (once: a rerun adds none), its
    bytes stored once by SHA-256 like every upload, by whoever counted the line, when."""
    from django.conf import settings
    from django.core.files import File
    from django.core.files.storage import storages

    Line = apps.get_model("inventory", "StocktakeLine")
    Blob = apps.get_model("assets", "Blob")
    Attachment = apps.get_model("assets", "Attachment")
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    storage = storages["attachments"]
    for line in Line.objects.exclude(photo="").order_by("pk").iterator():
        done = Attachment.objects.filter(
            subject_kind="stocktake_line", subject_id=line.pk, kind="photo"
        )
        path = (root / line.photo).resolve()
        if done.exists() or root not in path.parents or not path.is_file():
            continue
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        blob = Blob.objects.filter(sha256=sha256).first()
        if blob is None:
            name = f"{sha256[:2]}/{sha256}"
            if not storage.exists(name):
                with path.open("rb") as handle:
                    storage.save(name, File(handle, name=name))
            blob = Blob.objects.create(
                sha256=sha256,
                size=len(data),
                content_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg",
                name=name,
            )
        Attachment.objects.create(
            blob=blob,
            subject_kind="stocktake_line",
            subject_id=line.pk,
            kind="photo",
            file_name=path.name,
            uploaded_by_id=line.counted_by_id,
            uploaded_at=line.counted_at or line.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0012_reminder_choice"),
        ("assets", "0012_attachments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="stocktakeline",
            name="holder_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="confirmed by its holder at"
            ),
        ),
        migrations.AddField(
            model_name="stocktakeline",
            name="holder_confirmed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by its holder",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("stocktake_due", "Stocktake due soon"),
                    ("stocktake_overdue", "Stocktake overdue"),
                    ("stocktake_progress", "Stocktake progress of your department"),
                    ("stocktake_escalation", "Stocktake escalation"),
                    ("stocktake_not_started", "Annual stocktake not started"),
                    ("handover_undecided", "Handover awaiting decision"),
                    ("handover_overdue", "Handover overdue"),
                    ("final_accounts_overdue", "Final accounts overdue"),
                    ("label_compliance", "Assets without a label"),
                    ("handover_submitted", "Handover submitted to you"),
                    ("handover_decided", "Handover decided"),
                    ("custody_overdue", "Asset not returned by its due date"),
                    ("receipt_unconfirmed", "Receipt of an asset not confirmed"),
                    ("contract_ending", "Maintenance contract ending"),
                    ("leaver_cards", "Cards held by a deactivated user"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="reminderlog",
            name="kind",
            field=models.CharField(
                choices=[
                    ("stocktake_due", "Stocktake due soon"),
                    ("stocktake_overdue", "Stocktake overdue"),
                    ("stocktake_progress", "Stocktake progress of your department"),
                    ("stocktake_escalation", "Stocktake escalation"),
                    ("stocktake_not_started", "Annual stocktake not started"),
                    ("handover_undecided", "Handover awaiting decision"),
                    ("handover_overdue", "Handover overdue"),
                    ("final_accounts_overdue", "Final accounts overdue"),
                    ("label_compliance", "Assets without a label"),
                    ("handover_submitted", "Handover submitted to you"),
                    ("handover_decided", "Handover decided"),
                    ("custody_overdue", "Asset not returned by its due date"),
                    ("receipt_unconfirmed", "Receipt of an asset not confirmed"),
                    ("contract_ending", "Maintenance contract ending"),
                    ("leaver_cards", "Cards held by a deactivated user"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakecount",
            name="verify_method",
            field=models.CharField(
                choices=[
                    ("scan_own_label", "Own label scanned"),
                    ("via_host", "Confirmed through its host"),
                    ("sn_match", "Serial number matched"),
                    ("photo", "Photo"),
                    ("manual", "Manual count without a label"),
                    ("typed_tag", "Tag typed, no label scanned"),
                    ("custodian", "Confirmed by its holder"),
                ],
                max_length=16,
                verbose_name="verified by",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakeline",
            name="verify_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("scan_own_label", "Own label scanned"),
                    ("via_host", "Confirmed through its host"),
                    ("sn_match", "Serial number matched"),
                    ("photo", "Photo"),
                    ("manual", "Manual count without a label"),
                    ("typed_tag", "Tag typed, no label scanned"),
                    ("custodian", "Confirmed by its holder"),
                ],
                max_length=16,
                verbose_name="verified by",
            ),
        ),
        # The legacy files stay where they were; going back leaves the attachments (append-only).
        migrations.RunPython(copy_photos, migrations.RunPython.noop),
    ]
