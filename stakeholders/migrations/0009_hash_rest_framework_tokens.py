"""REST framework's tokens (keys stored in plain text) become ApiTokens that store only the key's
hash, and the plain keys are deleted. The systems keep their keys; they never expire unless rotated."""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("stakeholders", "ApiToken")
    for token in Token.objects.all().iterator():
        ApiToken.objects.create(
            person_id=token.user_id,
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            prefix=token.key[:10],
            created_at=token.created,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0008_api_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    # One way: the plain keys are gone, and must stay gone.
    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
