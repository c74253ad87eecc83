"""The calendar feed's secret is no longer stored, only its SHA-256: existing addresses keep
working (their digest is computed here), new ones are shown once when made."""

import hashlib
import secrets

from django.db import migrations, models


def digest_existing_secrets(apps, schema_editor):
    MemberProfile = apps.get_model("accounts", "MemberProfile")
    for profile in MemberProfile.objects.only("pk", "calendar_token").iterator():
        token = profile.calendar_token or secrets.token_urlsafe(32)
        MemberProfile.objects.filter(pk=profile.pk).update(
            calendar_digest=hashlib.sha256(token.encode()).hexdigest()
        )


def new_secrets(apps, schema_editor):
    """Going back cannot recover the secrets: every profile gets a new address."""
    MemberProfile = apps.get_model("accounts", "MemberProfile")
    for profile in MemberProfile.objects.only("pk").iterator():
        MemberProfile.objects.filter(pk=profile.pk).update(
            calendar_token=secrets.token_urlsafe(32)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_redundant_key_indexes")]

    operations = [
        migrations.AddField(
            model_name="memberprofile",
            name="calendar_digest",
            field=models.CharField(
                default="", max_length=64, verbose_name="calendar key digest"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="memberprofile",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True, verbose_name="calendar key"),
        ),
        migrations.RunPython(digest_existing_secrets, new_secrets),
        migrations.RemoveField(model_name="memberprofile", name="calendar_token"),
        migrations.AlterField(
            model_name="memberprofile",
            name="calendar_digest",
            field=models.CharField(max_length=64, unique=True, verbose_name="calendar key digest"),
        ),
    ]
