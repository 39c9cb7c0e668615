from django.db import migrations, models


class Migration(migrations.Migration):
    """The site's counting policy: may technicians reconcile stock directly (off by default, so a
    technician's count waits for a manager as before)."""

    dependencies = [
        ("core", "0004_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="technicians_may_reconcile",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Technicians book their counts at once, as managers do, instead of reporting"
                    " them for a manager to confirm."
                ),
                verbose_name="technicians may reconcile stock",
            ),
        ),
    ]
