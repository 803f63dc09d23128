"""`manage.py backup [--output-dir DIR]`: the database and every stored file in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, create_backup, read_manifest


class Command(BaseCommand):
    help = (
        "Write a backup archive (the database via pg_dump -Fc, plus media and private files) "
        "and print its path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="Folder for the archive (default: var/backups).",
        )

    def handle(self, *args, output_dir, **options):
        try:
            archive = create_backup(Path(output_dir))
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = read_manifest(archive)
        rows = manifest["rows"]
        self.stdout.write(
            f"{archive}\n"
            f"  {rows.get('assets.asset', 0)} cards, {rows.get('assets.assetevent', 0)} events, "
            f"{rows.get('labels.label', 0)} labels, "
            f"{rows.get('inventory.stocktakecampaign', 0)} campaigns, "
            f"{len(manifest['files'])} files"
        )
