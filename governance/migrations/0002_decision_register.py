# Generated for governance decisions: the register's chain and filed_on, and its indexes.

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


def chain_from_body(apps, schema_editor):
    Decision = apps.get_model("governance", "Decision")
    Body = apps.get_model("governance", "Body")
    for body_id, chain_id in Body.objects.values_list("pk", "chain_id"):
        Decision.objects.filter(body_id=body_id).update(chain_id=chain_id)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("stakeholders", "0007_dates_in_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="chain",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="stakeholders.chain",
            ),
        ),
        migrations.RunPython(chain_from_body, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision",
            name="chain",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="stakeholders.chain",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="filed_on",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce("decided_on", "closes_on"),
                output_field=models.DateField(),
                verbose_name="date in the register",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["chain", "-filed_on", "-id"], name="decision_register"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["chain", "status", "-filed_on", "-id"], name="decision_register_outcome"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["body", "-filed_on", "-id"], name="decision_register_body"),
        ),
    ]
