from django.core.management.base import BaseCommand

from backoffice.core.schedules import setup_schedules


class Command(BaseCommand):
    help = "Register (idempotently) the django-q2 cron schedules that the apps declare."

    def handle(self, *args, **options):
        for name, outcome in setup_schedules():
            self.stdout.write(f"{name}: {outcome}")
