"""Art. 22.1: each partner client belongs to a competent authority of the directory
(``cooperation``). The authorities are made from the clients registered before: one per Party
and name, with the client's contact e-mail; then the client's own name and Party go."""

import django.db.models.deletion
from django.db import migrations, models


def link(apps, schema_editor):
    PartnerClient = apps.get_model("api", "PartnerClient")
    CompetentAuthority = apps.get_model("cooperation", "CompetentAuthority")
    for client in PartnerClient.objects.order_by("pk"):
        authority = CompetentAuthority.objects.filter(
            country=client.country, name__iexact=client.name
        ).first()
        if authority is None:
            authority = CompetentAuthority.objects.create(
                country=client.country,
                name=client.name,
                kind="other",
                email=client.contact_email,
                channels=["api"],
            )
        client.authority = authority
        client.save(update_fields=["authority"])


def unlink(apps, schema_editor):
    PartnerClient = apps.get_model("api", "PartnerClient")
    for client in PartnerClient.objects.select_related("authority"):
        client.name, client.country = client.authority.name, client.authority.country
        client.save(update_fields=["name", "country"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0005_call_append_only"),
        ("cooperation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnerclient",
            name="authority",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_clients",
                to="cooperation.competentauthority",
                verbose_name="authority",
            ),
        ),
        migrations.RunPython(link, unlink),
        migrations.AlterField(
            model_name="partnerclient",
            name="authority",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_clients",
                to="cooperation.competentauthority",
                verbose_name="authority",
            ),
        ),
        migrations.RemoveField(model_name="partnerclient", name="name"),
        migrations.RemoveField(model_name="partnerclient", name="country"),
        migrations.AlterModelOptions(
            name="partnerclient",
            options={
                "ordering": ("authority__name", "pk"),
                "permissions": [
                    (
                        "manage_partners",
                        "Can register partner authorities and revoke their access",
                    )
                ],
                "verbose_name": "partner authority",
                "verbose_name_plural": "partner authorities",
            },
        ),
        migrations.AlterField(
            model_name="partnerclient",
            name="contact_email",
            field=models.EmailField(
                help_text="Who looks after this client's credentials at the authority.",
                max_length=254,
                verbose_name="technical contact e-mail",
            ),
        ),
    ]
