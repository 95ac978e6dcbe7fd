"""Person.is_system: API connections are system accounts, marked as such instead of recognised.

Until now a system account was recognised by its address in the reserved API domain together
with an unusable password (stakeholders/views/api_tokens.py). The data step marks every existing
account that matches that rule; both conditions, so that nobody who could sign in is ever hidden.
"""

from django.db import migrations, models

# Frozen here: the migration must keep meaning what it meant when it was written.
SYSTEM_DOMAIN = "api.ketenportaal.invalid"
UNUSABLE_PASSWORD_PREFIX = "!"


def mark_system_accounts(apps, schema_editor):
    Person = apps.get_model("stakeholders", "Person")
    Person.objects.filter(email__endswith=f"@{SYSTEM_DOMAIN}", password__startswith=UNUSABLE_PASSWORD_PREFIX).update(
        is_system=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0005_person_email_lower_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="is_system",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="An API connection, not a person.",
                verbose_name="system account",
            ),
        ),
        migrations.RunPython(mark_system_accounts, migrations.RunPython.noop, elidable=True),
    ]
