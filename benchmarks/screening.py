"""``make bench``, due diligence: screening one application against ``BENCH_PARTIES`` parties
(default 100,000) through the screening-key index.

Seeds, once, into the benchmark database (``BENCH_DATABASE_URL``, as ``benchmarks``) parties
with a director, a tax number, a bank account and two addresses each, bulk-inserted, and
indexes their keys with ``index_everything``; one party in a hundred is adverse (a refused
application or a blocked customer). Then times, in process, what an officer waits for when
the checks run: the related-party screening, the machine screening and a whole run of the
checks of one application that shares a bank account and a director with adverse parties.
Prints a Markdown table for docs/benchmarks.md, and the plan of the key lookup."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time

from benchmarks.common import BENCH_URL, ensure_database, timed

PARTIES = int(os.environ.get("BENCH_PARTIES", "100000"))
PREFIX = "Bench DD"
BATCH = 5000


def seed(count: int) -> None:
    """``count`` more parties with their records, in bulk (no signals: indexed afterwards)."""
    from django.db import transaction

    from duediligence.models import BlockedCustomer
    from licensing.models import (
        Application,
        ApplicationState,
        BankAccount,
        Party,
        Person,
        TaxRegistration,
    )

    start = Party.objects.filter(legal_name__startswith=PREFIX).count()
    for first in range(start, start + count, BATCH):
        numbers = range(first, min(first + BATCH, start + count))
        with transaction.atomic():
            parties = Party.objects.bulk_create(
                Party(
                    kind="legal",
                    legal_name=f"{PREFIX} {n} AS",
                    registration_number=f"8{n:08d}",
                    country="NO",
                    date_of_incorporation=dt.date(2010, 1, 1),
                    place_of_incorporation="Oslo",
                    headquarters_address=f"Benkgata {n + 1}\n{1000 + n % 8999} Oslo",
                    principal_place_of_business=f"Lagerveien {n + 1}\n{1000 + n % 8999} Oslo",
                    email=f"bench-dd-{n}@example.com",
                )
                for n in numbers
            )
            Person.objects.bulk_create(
                Person(
                    party=party,
                    role="director",
                    full_name=f"Direktør {n}",
                    date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=n % 15000),
                    identity_document_type="passport",
                    identity_document_number=f"B{n:08d}",
                    identity_document_country="NO",
                )
                for n, party in zip(numbers, parties, strict=True)
            )
            TaxRegistration.objects.bulk_create(
                TaxRegistration(party=party, country="NO", number=f"NO8{n:08d}MVA")
                for n, party in zip(numbers, parties, strict=True)
            )
            BankAccount.objects.bulk_create(
                BankAccount(
                    party=party,
                    iban=f"NO{n:013d}",
                    bank_name="Benkbanken",
                    bank_country="NO",
                    holder_name=party.legal_name,
                )
                for n, party in zip(numbers, parties, strict=True)
            )
            adverse = [(n, p) for n, p in zip(numbers, parties, strict=True) if n % 100 == 0]
            Application.objects.bulk_create(
                Application(
                    reference=f"BENCH-DD-{n}",
                    kind="new",
                    party=party,
                    activities=["import"],
                    state=ApplicationState.REFUSED,
                )
                for n, party in adverse
                if n % 200 == 0
            )
            BlockedCustomer.objects.bulk_create(
                BlockedCustomer(
                    party=party,
                    reason="bench",
                    decision_reference=f"BENCH-DD-{n}",
                    blocked_from=dt.date(2025, 1, 1),
                )
                for n, party in adverse
                if n % 200 != 0
            )
        print(f"  {numbers[-1] + 1 - start:,} parties", file=sys.stderr, flush=True)


def main() -> int:
    if not BENCH_URL.startswith("postgres"):
        print("make bench needs PostgreSQL (BENCH_DATABASE_URL=postgres://...).", file=sys.stderr)
        return 2
    ensure_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from duediligence.models import ScreeningKey
    from duediligence.screening import keys_of, machine_matches, related_parties
    from duediligence.services.indexing import index_everything
    from duediligence.services.reviews import rerun_checks, run_first_checks
    from duediligence.sources import LINKING_KINDS, keys_q
    from licensing.models import (
        Application,
        ApplicationState,
        BankAccount,
        Party,
        Person,
    )

    call_command("migrate", verbosity=0)
    have = Party.objects.filter(legal_name__startswith=PREFIX).count()
    if have < PARTIES:
        print(f"seeding {PARTIES - have:,} parties (once; kept for the next run)", flush=True)
        start = time.perf_counter()
        seed(PARTIES - have)
        print(f"seeded in {time.perf_counter() - start:,.0f} s", flush=True)
        start = time.perf_counter()
        written = index_everything(batch_size=1000)
        print(f"indexed {written:,} keys in {time.perf_counter() - start:,.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The applicant: shares a bank account with a blocked party and its director with a party
    # that was refused. Made once, reused.
    applicant, created = Party.objects.get_or_create(
        legal_name="Bench DD Applicant AS",
        defaults={
            "kind": "legal",
            "registration_number": "995525828",
            "country": "NO",
            "date_of_incorporation": dt.date(2020, 1, 1),
            "place_of_incorporation": "Oslo",
            "headquarters_address": "Søkergata 1\n0150 Oslo",
            "principal_place_of_business": "Søkergata 1\n0150 Oslo",
            "email": "bench-dd-applicant@example.com",
        },
    )
    if created:
        blocked = Party.objects.get(legal_name=f"{PREFIX} 100 AS")
        refused = Party.objects.get(legal_name=f"{PREFIX} 200 AS")
        BankAccount.objects.create(
            party=applicant,
            iban=blocked.bank_accounts.get().iban,
            bank_name="Benkbanken",
            bank_country="NO",
            holder_name=applicant.legal_name,
        )
        director = refused.persons.get()
        Person.objects.create(
            party=applicant,
            role="director",
            full_name=director.full_name,
            date_of_birth=director.date_of_birth,
            identity_document_type="passport",
            identity_document_number="X0000001",
            identity_document_country="NO",
        )
    application, _ = Application.objects.get_or_create(
        reference="BENCH-DD-APPLICATION",
        defaults={
            "kind": "new",
            "party": applicant,
            "activities": ["import"],
            "state": ApplicationState.SUBMITTED,
        },
    )
    officer, _ = get_user_model().objects.get_or_create(
        username="bench-officer", defaults={"is_staff": True}
    )
    officer.groups.add(Group.objects.get(name="licence officer"))
    review = run_first_checks(application_id=application.pk)
    parties = Party.objects.count()
    keys = ScreeningKey.objects.count()

    matches, _linked = related_parties(applicant)
    rows = [
        ("Related-party screening of one applicant", lambda: related_parties(applicant)),
        (
            "Machine screening, 10 serial numbers",
            lambda: machine_matches(applicant, [f"SERIAL-{n}" for n in range(10)]),
        ),
        ("Re-indexing the applicant's keys", lambda: keys_of(applicant)),
        (
            "Every check of one application (a re-run)",
            lambda: rerun_checks(review_id=review.pk, by=officer),
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"\n{parties:,} parties, {keys:,} screening keys; {len(matches)} adverse matches for the "
        f"applicant; PostgreSQL {version}; {platform.platform()}; {os.cpu_count()} cores\n"
    )
    print("| what | median ms | queries |")
    print("| --- | ---: | ---: |")
    for label, call in rows:
        ms, queries = timed(call)
        print(f"| {label} | {ms:,.1f} | {queries} |", flush=True)

    lookup = keys_q({k: v for k, v in keys_of(applicant).items() if k in LINKING_KINDS}) or Q(
        pk=None
    )
    sql, params = (
        ScreeningKey.objects.filter(lookup, party__isnull=False)
        .exclude(party=applicant)
        .values("party_id", "kind", "value")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\nPlan of the linked-party lookup:\n")
    for line in plan:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
