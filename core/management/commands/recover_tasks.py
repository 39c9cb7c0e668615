"""``manage.py recover_tasks``: queue again (or fail) tasks whose worker died, and re-send tasks
whose message was lost. Beat runs the same thing every minute (``core.recover_tasks``); in
embedded mode, with no beat, run it from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from core.background import task_records_recover, task_records_to_recover


class Command(BaseCommand):
    help = "Queue again or fail background tasks whose worker died; re-send lost task messages."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only print what would be done.")

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            plan = task_records_to_recover()
            for recovery in plan:
                record = recovery.record
                self.stdout.write(
                    f"would {recovery.action} {record.pk} {record.name} "
                    f"[{record.state}, attempt {record.attempts} of {record.max_attempts}]: "
                    f"{recovery.reason}"
                )
            self.stdout.write(f"{len(plan)} task(s) to recover.")
            return
        done = task_records_recover()
        for action, ids in done.items():
            for record_id in ids:
                self.stdout.write(f"{action} {record_id}")
        summary = ", ".join(f"{action}: {len(ids)}" for action, ids in done.items())
        self.stdout.write(self.style.SUCCESS(f"Recovered tasks ({summary})."))
