"""Portal accounts: language preference and e-mail confirmation state (PortalProfile)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0007_roles_for_portal_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PortalProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("nb", "Norwegian Bokmål"),
                            ("hu", "Hungarian"),
                        ],
                        default="en",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "email_verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="e-mail confirmed at"),
                ),
                (
                    "pending_email",
                    models.EmailField(
                        blank=True,
                        max_length=254,
                        verbose_name="new e-mail waiting for confirmation",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_profile",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "portal profile",
                "verbose_name_plural": "portal profiles",
            },
        ),
    ]
