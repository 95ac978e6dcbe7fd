"""E-mail addresses are stored in one spelling (stakeholders.models.people.normalise_email).

The unique constraint on lower(email) already kept two spellings of one address apart, so no two
people collide when their addresses are rewritten here.
"""

import unicodedata

from django.db import migrations, models


def _normalise(address: str) -> str:
    # A copy of normalise_email as it is today: a migration must not change when the model does.
    return unicodedata.normalize("NFKC", address or "").strip().lower()


def normalise_addresses(apps, schema_editor):
    # In Python rather than SQL: SQLite's lower() leaves non-ASCII letters alone, and sign-in
    # looks addresses up by the exact normalised text.
    for name in ("Person", "Invitation"):
        model = apps.get_model("stakeholders", name)
        for pk, email in model.objects.values_list("pk", "email").iterator():
            if email != _normalise(email):
                model.objects.filter(pk=pk).update(email=_normalise(email))


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0004_notification_mailed_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="email",
            field=models.EmailField(
                error_messages={"unique": "Someone with this e-mail address already has an account."},
                max_length=254,
                unique=True,
                verbose_name="e-mail address",
            ),
        ),
        migrations.RunPython(normalise_addresses, migrations.RunPython.noop),
    ]
