"""The demo world, built by the real services at the dates its story needs.

Each story is a generator that yields how many days before the build date its next step
happens; ``build_world`` runs all steps in date order with the clock moved there
(time-machine), so numbers, audit events, invoices and notifications are exactly what the
services would have written on those days. Needs the dev dependency ``time-machine``."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from licensing.demo.parties import PARTIES, iban, registration
from licensing.demo.users import ensure_demo_users
from licensing.models import (
    Application,
    BankAccount,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    FeeSchedule,
    Invoice,
    Licence,
    MarketDeclaration,
    Party,
    Person,
    Product,
    ProductionCapacity,
    Site,
    TaxRegistration,
    Verb,
)
from licensing.services import applications as apps
from licensing.services.access import grant_party_access
from licensing.services.audit import record_event
from licensing.services.fees import record_payment

Story = Iterator[int]  # yields days before the build date of its next step


class World:
    def __init__(self, users: dict[str, Any]) -> None:
        self.users = users
        self.officer = users["officer"]
        self.senior = users["senior"]
        self.senior2 = users["senior2"]
        self.parties: dict[str, Party] = {}
        self.applicant_for: set[str] = set()
        self.licences: dict[str, Licence] = {}

    def by(self, key: str) -> Any:
        """Who files for the party: its own portal user, else an officer (paper application)."""
        return self.users["applicant"] if key in self.applicant_for else self.officer


def _clean_save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def create_party(w: World, spec: dict[str, Any], seed: int) -> Party:
    """What an officer enters in the admin for a party: every Art. 6.3(b) record."""
    country = spec["country"]
    reg, tax = registration(country, seed)
    legal = spec["kind"] == "legal"
    party = _clean_save(
        Party(
            kind=spec["kind"],
            legal_name=spec["legal_name"],
            trade_name=spec.get("trade_name", ""),
            registration_number=reg,
            country=country,
            date_of_incorporation=dt.date.fromisoformat(spec["incorporated"]) if legal else None,
            place_of_incorporation=spec.get("place", ""),
            headquarters_address=spec["address"] if legal else "",
            principal_place_of_business=spec["address"],
            date_of_birth=None if legal else dt.date.fromisoformat(spec["born"]),
            nationality=spec.get("nationality", ""),
            identity_document_type="" if legal else "passport",
            identity_document_number="" if legal else f"{country}{4400000 + seed * 131}",
            identity_document_country="" if legal else country,
            identity_document_expires_on=None if legal else dt.date(2031, 3, 31),
            address=spec["address"],
            email=spec["email"],
            phone=spec.get("phone", ""),
            preferred_language=spec["language"],
        )
    )
    record_event(party, verb=Verb.CREATED, by=w.officer)
    _clean_save(TaxRegistration(party=party, country=country, number=tax))
    account = iban(country, seed)
    _clean_save(
        BankAccount(
            party=party,
            iban=str(account),
            bic=str(account.bic or ""),
            bank_name=account.bank_name or "Bank",
            bank_country=country,
            holder_name=spec["legal_name"],
            intended_use="Licence fees, excise duties and trade payments",
        )
    )
    today = timezone.localdate()
    declare = {
        "declared_on": today,
        "reviewed_by": w.officer,
        "reviewed_at": timezone.now(),
        "review_note": "Checked against the national criminal register.",
    }
    convictions = spec.get("convictions", "")
    _clean_save(
        CriminalRecordDeclaration(
            party=party, has_convictions=bool(convictions), details=convictions, **declare
        )
    )
    for person_spec in spec.get("persons", []):
        person = _clean_save(Person(party=party, active_from=today, **person_spec))
        if person.role != "beneficial_owner":
            _clean_save(CriminalRecordDeclaration(party=party, person=person, **declare))
    for site_spec in spec["sites"]:
        capacity = site_spec["capacity"]
        fields = {k: v for k, v in site_spec.items() if k != "capacity"}
        site = _clean_save(Site(party=party, country=country, **fields))
        for product_type, units in capacity.items():
            _clean_save(
                ProductionCapacity(site=site, product_type=product_type, units_per_year=units)
            )
    for product_type, name, brand in spec.get("products", []):
        _clean_save(
            Product(
                party=party,
                product_type=product_type,
                name=name,
                brand=brand,
                trade_mark=f"{brand}®" if brand else "",
                description=f"{name}: {product_type.replace('_', ' ')} made to the party's recipe.",
            )
        )
    if "affiliate" in spec:
        other, relationship = spec["affiliate"]
        _clean_save(
            CorporateAffiliation(party=party, affiliate=w.parties[other], relationship=relationship)
        )
    if spec.get("applicant"):
        grant_party_access(party=party, user=w.users["applicant"], by=w.officer)
    return party


def file_application(
    w: World,
    key: str,
    kind: str,
    activities: list[str],
    *,
    licence: Licence | None = None,
    sites: list[Site] | None = None,
    change: str = "",
    submit: bool = True,
) -> Application:
    """Create, fill, declare and (by default) submit an application, as the portal does."""
    party, by = w.parties[key], w.by(key)
    application = apps.create_application(
        party=party,
        kind=kind,
        activities=activities,
        by=by,
        licence=licence,
        change_description=change,
    )
    application.sites.set(sites if sites is not None else party.sites.all())
    products = list(party.products.all())
    application.products.set(products)
    for product in products:
        for market in sorted({party.country.code, "NO", "DE"})[:2]:
            _clean_save(
                MarketDeclaration(
                    application=application,
                    product_type=product.product_type,
                    market=market,
                    intended_use="sale to licensed wholesalers",
                    anticipated_demand=250_000 + 50_000 * len(product.name),
                )
            )
    if submit:
        apps.accept_declaration(application_id=application.pk, by=by)
        apps.submit_application(application_id=application.pk, by=by)
    return Application.objects.get(pk=application.pk)


def pay(w: World, application: Application) -> None:
    invoice = Invoice.objects.get(application=application)
    record_payment(
        invoice_id=invoice.pk,
        by=w.officer,
        reference=f"BANK-{invoice.number}",
        amount=invoice.amount,
        paid_on=timezone.localdate(),
    )


def new_licence(
    w: World, name: str, key: str, activities: list[str], *, issued_ago: int, ask: str = ""
) -> Story:
    """The whole path of a new licence: filed, reviewed, (questioned,) paid, issued."""
    yield issued_ago + 21
    application = file_application(w, key, "new", activities)
    yield issued_ago + 18
    apps.start_review(application_id=application.pk, by=w.officer)
    if ask:
        yield issued_ago + 16
        apps.request_information(application_id=application.pk, by=w.officer, question=ask)
        yield issued_ago + 12
        apps.provide_information(
            application_id=application.pk,
            by=w.by(key),
            answer="The requested documents are attached; the capacity figures are per shift.",
        )
    yield issued_ago + 9
    pay(w, application)
    yield issued_ago
    apps.approve_application(application_id=application.pk, by=w.officer)
    w.licences[name] = Licence.objects.get(application=application)


def parties_story(w: World) -> Story:
    for seed, spec in enumerate(PARTIES, start=1):
        yield 900 - seed * 5
        w.parties[spec["key"]] = create_party(w, spec, seed)
        if spec.get("applicant"):
            w.applicant_for.add(spec["key"])


def historic_fees() -> None:
    """The fee schedule before 2026 (migration 0004 starts on 2026-01-01): the demo's history
    goes back to 2024 and its invoices need the schedule of their day."""
    for fee in FeeSchedule.objects.filter(valid_from=dt.date(2026, 1, 1)):
        FeeSchedule.objects.get_or_create(
            activity=fee.activity,
            application_kind=fee.application_kind,
            valid_from=dt.date(2024, 1, 1),
            defaults={
                "valid_until": dt.date(2025, 12, 31),
                "amount": (fee.amount * Decimal("0.9")).quantize(Decimal("0.01")),
                "currency": fee.currency,
            },
        )


def build_world(*, today: dt.date | None = None) -> World:
    """Build the demo world in the current (empty, migrated) database, the build date being
    ``today``. Runs the services with the clock moved; Celery runs eagerly."""
    import time_machine

    from licensing.demo.stories import stories

    today = today or timezone.localdate()
    w = World(ensure_demo_users(password=None))
    historic_fees()
    counter = itertools.count()
    queue: list[tuple[int, int, Story]] = []
    for story in stories(w):
        heapq.heappush(queue, (-next(story), next(counter), story))
    step_of_day: dict[int, int] = {}
    while queue:
        key, _, story = heapq.heappop(queue)
        days_ago = -key
        step = step_of_day[days_ago] = step_of_day.get(days_ago, 0) + 1
        moment = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(8))
        ) + dt.timedelta(minutes=7 * step)
        with time_machine.travel(moment, tick=True):
            try:
                later = next(story)
            except StopIteration:
                continue
        if later > days_ago:
            raise RuntimeError(f"a story went back in time: {days_ago} -> {later} days ago")
        heapq.heappush(queue, (-later, next(counter), story))
    return w
