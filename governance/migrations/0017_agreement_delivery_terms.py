import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ambitions", "0012_delivery_terms"),
        ("governance", "0016_early_warnings"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="delivery_terms",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="agreement",
                to="ambitions.deliveryterms",
            ),
        ),
    ]
