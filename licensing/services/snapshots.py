"""The immutable record of what an applicant submitted (Art. 6.3(b) as of submission)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from licensing.models.applications import Application, SubmissionSnapshot


class SnapshotEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # countries, files: their code or name


# Always empty in a snapshot (only current rows are taken): left out, as before it existed.
ENDED = ("ended_at",)


def _rows(queryset: Any, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in exclude} | {"id": row.pk}
        for row in queryset
    ]


def snapshot_data(application: Application) -> dict[str, Any]:
    party = application.party
    return {
        "application": {
            "reference": application.reference,
            "kind": application.kind,
            "activities": application.activities,
            "licence": application.licence.number if application.licence else None,
            "change_description": application.change_description,
            "declaration_accepted_at": application.declaration_accepted_at,
        },
        "party": model_to_dict(party, exclude=["affiliates"]) | {"id": party.pk},
        # Only what is current: an ended record is no longer part of the application.
        "tax_registrations": _rows(party.tax_registrations.current(), exclude=ENDED),
        "affiliations": _rows(party.affiliations.current(), exclude=ENDED),
        "persons": _rows(party.persons.all()),
        "bank_accounts": _rows(party.bank_accounts.current(), exclude=ENDED),
        "criminal_record_declarations": _rows(party.criminal_record_declarations.all()),
        "sites": [
            model_to_dict(site) | {"id": site.pk, "capacities": _rows(site.capacities.all())}
            for site in application.sites.all()
        ],
        "products": _rows(application.products.all()),
        "market_declarations": _rows(application.market_declarations.current(), exclude=ENDED),
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "original_name": d.original_name,
                "sha256": d.sha256,
                "size": d.size,
            }
            for d in application.documents.all()
        ],
    }


def take_snapshot(application: Application) -> SubmissionSnapshot:
    text = json.dumps(snapshot_data(application), cls=SnapshotEncoder, sort_keys=True)
    return SubmissionSnapshot.objects.create(
        application=application,
        data=json.loads(text),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
