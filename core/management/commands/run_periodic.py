"""``manage.py run_periodic``: queue the periodic jobs that are due, for every site, once.

With workers, beat does this every minute (``core.run_periodic``). In embedded mode there is no
beat: run this every minute or few from cron or a systemd timer; the jobs then run in this
process. Running it more often, or twice at once, never starts a job twice.
"""

from django.core.management.base import BaseCommand

from core.periodic import periodic_jobs_dispatch


class Command(BaseCommand):
    help = "Queue the periodic jobs that are due, for every site."

    def handle(self, *args, **options):
        records = periodic_jobs_dispatch()
        for record in records:
            self.stdout.write(
                f"queued {record.periodic_key} for site {record.site_id}: {record.pk}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(records)} periodic job(s) queued."))
