"""`manage.py import_assets FILE [--dry-run] [--user USERNAME]`: bulk-load a ledger.

The same pipeline as the import pages and API: every row is checked first; then all rows are
applied in one transaction through the register services, or none. With `--user` the import runs
with that user's role and department scope (as the API would: a role that registers no cards is
refused) and the history events name them; without it, it runs as the system
(`permissions.SYSTEM`: no scope, events without an actor).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from assets import permissions, spreadsheets
from assets.imports.apply import execute_plan, savepoints_off
from assets.imports.columns import ImportHasErrors
from assets.imports.plan import plan_import
from assets.models import User
from config import formatting


class Command(BaseCommand):
    help = "Import asset cards from an XLSX or CSV ledger, all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to an .xlsx or .csv file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and preview only; write nothing"
        )
        parser.add_argument("--user", help="import as this user (their scope, their name)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        if path.stat().st_size > spreadsheets.MAX_UPLOAD_BYTES:
            raise CommandError(_("The file is too large."))
        actor = permissions.SYSTEM  # no --user: the system, with no scope to keep to
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("Unknown user “%(name)s”.") % {"name": options["user"]})
            try:
                # Asked again by every service the import calls; here before anything is read.
                permissions.require_card_writer(actor)
            except PermissionDenied as refusal:
                raise CommandError(str(refusal)) from None
        try:
            table = spreadsheets.read_table(path.read_bytes())
            plan = plan_import(actor=actor, table=table)
        except spreadsheets.SpreadsheetError as problem:
            raise CommandError(str(problem.message))
        counts = plan.counts
        self.stdout.write(
            _("%(rows)s rows: %(create)s to create, %(update)s to update, %(same)s unchanged.")
            % {
                "rows": len(plan.rows),
                "create": counts["create"],
                "update": counts["update"],
                "same": counts["unchanged"],
            }
        )
        if plan.header_map.ignored:
            self.stdout.write(
                _("Ignored columns: %(columns)s")
                % {"columns": formatting.text_list(plan.header_map.ignored)}
            )
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(error.as_dict()["text"])
            raise CommandError(
                _("%(count)s error(s); nothing was imported.") % {"count": len(plan.errors)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        note = _("Imported from %(name)s") % {"name": path.name}
        try:
            with transaction.atomic(), savepoints_off():
                execute_plan(plan=plan, actor=actor, note=note)
        except ImportHasErrors as failure:
            for error in failure.errors:
                self.stderr.write(error["text"])
            raise CommandError(_("Nothing was imported."))
        self.stdout.write(self.style.SUCCESS(_("Imported.")))
