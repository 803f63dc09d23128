from django.core.management.base import BaseCommand, CommandError

from inventory.reminders.jobs import JOBS, run_job


class Command(BaseCommand):
    help = (
        "Run the reminder jobs now (the same services the Celery beat runs), exactly once per "
        "recipient, subject and period, and print what was sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--job", choices=sorted(JOBS), action="append", help="Run only this job (repeatable)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Send and record nothing; print what would go."
        )

    def handle(self, *args, **options):
        jobs = options["job"] or list(JOBS)
        dry_run = options["dry_run"]
        total = 0
        for job in jobs:
            try:
                outcomes = run_job(job=job, dry_run=dry_run)
            except ValueError as exc:
                raise CommandError(f"unknown job: {exc}")
            for outcome in outcomes:
                reminder = outcome.reminder
                recipient = reminder.recipient
                address = recipient.email or "(no e-mail: inbox only)"
                self.stdout.write(
                    f"{job}\t{outcome.status}\t{reminder.kind}\t{recipient.username} "
                    f"<{address}>\t{reminder.subject}\t{reminder.period}\t{outcome.title}"
                )
                total += outcome.sent or outcome.status == "would send"
        verb = "would send" if dry_run else "sent"
        self.stdout.write(self.style.SUCCESS(f"{total} reminders {verb}."))
