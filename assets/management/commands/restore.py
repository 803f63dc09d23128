"""`manage.py restore ARCHIVE [--force]`: restore a backup and prove nothing was lost."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the configured (empty) database and file folders, then "
        "check every table's row count and every file's SHA-256 against the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A yika-*.tar archive written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and files that are not empty.",
        )

    def handle(self, *args, archive, force, **options):
        try:
            summary = restore_backup(Path(archive), force=force)
        except (BackupError, FileNotFoundError, KeyError) as error:
            raise CommandError(f"restore failed: {error}") from error
        self.stdout.write(
            f"restored {archive}: {summary.count('assets.asset')} cards, "
            f"{summary.count('assets.assetevent')} events, {summary.count('labels.label')} labels, "
            f"{summary.count('inventory.stocktakecampaign')} campaigns, {summary.files} files; "
            f"every row count and file hash matches"
        )
