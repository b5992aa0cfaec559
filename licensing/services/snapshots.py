"""The immutable record of what an applicant submitted (Art. 6.3(b) as of submission)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from licensing.models.applications import Application, SubmissionSnapshot
from licensing.services import draft_records as records


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
    """What the application submits: for a licensed party, its approved records with the
    draft's proposals in their place (licensing.services.draft_records)."""
    party = records.party(application.party, application)
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
        "tax_registrations": _rows(records.tax_registrations(party, application), exclude=ENDED),
        "affiliations": _rows(records.affiliations(party, application), exclude=ENDED),
        "persons": _rows(records.persons(party, application)),
        "bank_accounts": _rows(records.bank_accounts(party, application), exclude=ENDED),
        "criminal_record_declarations": _rows(party.criminal_record_declarations.all()),
        "sites": [
            model_to_dict(site)
            | {
                "id": site.pk,
                "capacities": _rows(records.capacities(application, [site])),
            }
            for site in records.sites(application)
        ],
        "products": _rows(records.products(application)),
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
