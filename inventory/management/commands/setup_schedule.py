from django.core.management.base import BaseCommand

from inventory.reminders.schedule import install_schedule


class Command(BaseCommand):
    help = (
        "Load the declared periodic schedule (config/celery.py SCHEDULE) into django-celery-beat. "
        "Only missing entries are added: changes made in the admin are kept."
    )

    def handle(self, *args, **options):
        added = install_schedule()
        for name in added:
            self.stdout.write(f"added: {name}")
        self.stdout.write(f"{len(added)} schedule entries added.")
