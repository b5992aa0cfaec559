"""A seeding plan (``licensing.demo.seed``) written with ``bulk_create``: any database, the
tests' SQLite among them. Slower than ``COPY`` (each row is a model instance, each id read
back), the same rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from licensing.demo.seed import ACTIVITY_SETS, party_fields, site_fields
from licensing.models import (
    Application,
    Invoice,
    InvoiceLine,
    Licence,
    LicenceTerm,
    Party,
    Payment,
    Site,
    SubmissionSnapshot,
)

if TYPE_CHECKING:
    from licensing.demo.seed import Batch, Seeder


def write_bulk(seeder: Seeder, batch: Batch) -> int:
    """Write ``batch``; returns the rows written. The caller holds the transaction."""
    user, fee, plan = seeder.user, seeder.fee, batch.licences
    now = timezone.now()
    parties = Party.objects.bulk_create(
        Party(**party_fields(batch.first_party + j, approved_at=now))
        for j in range(len(batch.coordinates))
    )
    sites = Site.objects.bulk_create(
        Site(party=party, **site_fields(batch.first_party + j, party.pk, lat, lon))
        for j, (party, (lat, lon)) in enumerate(zip(parties, batch.coordinates, strict=True))
    )
    applications = Application.objects.bulk_create(
        Application(
            reference=batch.references[n],
            kind="new",
            party=parties[p.party],
            activities=list(ACTIVITY_SETS[p.activities]),
            state="approved",
            declaration_accepted_at=_at(p.submitted, 9),
            submitted_at=_at(p.submitted, 10),
            decided_at=_at(p.valid_from, 10),
            assigned_officer=user,
            created_by=user,
        )
        for n, p in enumerate(plan)
    )
    Application.sites.through.objects.bulk_create(
        Application.sites.through(application_id=a.pk, site_id=sites[p.party].pk)
        for a, p in zip(applications, plan, strict=True)
    )
    snapshots = []
    for a in applications:
        data = {
            "application": {"reference": a.reference, "kind": a.kind},
            "activities": a.activities,
            "party": {"id": a.party_id},
            "synthetic": True,
        }
        text = json.dumps(data, sort_keys=True)
        snapshots.append(
            SubmissionSnapshot(
                application=a, data=data, sha256=hashlib.sha256(text.encode()).hexdigest()
            )
        )
    SubmissionSnapshot.objects.bulk_create(snapshots)
    invoices = Invoice.objects.bulk_create(
        Invoice(
            application=a,
            number=batch.invoices[n],
            amount=sum((fee.get(x, Decimal("0")) for x in a.activities), Decimal("0")),
            currency=settings.FEE_CURRENCY,
            due_on=plan[n].submitted + dt.timedelta(days=settings.INVOICE_DUE_DAYS),
        )
        for n, a in enumerate(applications)
    )
    lines = InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=inv, activity=x, amount=fee.get(x, Decimal("0")))
        for inv, a in zip(invoices, applications, strict=True)
        for x in a.activities
    )
    payments = Payment.objects.bulk_create(
        Payment(
            invoice=inv,
            reference=f"SEED-{inv.number}",
            amount=inv.amount,
            paid_on=plan[n].submitted + dt.timedelta(days=5),
            recorded_by=user,
        )
        for n, inv in enumerate(invoices)
        if inv.amount > 0
    )
    licences = Licence.objects.bulk_create(
        Licence(
            number=batch.numbers[n],
            holder_id=a.party_id,
            activities=a.activities,
            valid_from=plan[n].valid_from,
            expires_on=plan[n].expires_on,
            application=a,
            issued_by=user,
            issued_at=_at(plan[n].valid_from, 10),
            state=plan[n].state,
        )
        for n, a in enumerate(applications)
    )
    Licence.sites.through.objects.bulk_create(
        Licence.sites.through(licence_id=lic.pk, site_id=sites[p.party].pk)
        for lic, p in zip(licences, plan, strict=True)
    )
    LicenceTerm.objects.bulk_create(
        LicenceTerm(
            licence=lic, valid_from=lic.valid_from, expires_on=lic.expires_on, application=a
        )
        for lic, a in zip(licences, applications, strict=True)
    )
    return len(parties) * 2 + len(plan) * 7 + len(lines) + len(payments)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
