"""The one door for the checks on filed returns (issue: returns, part 3): running them on a
version, in batches with set-based reads (a fixed number of queries a batch, however many
lines and counterparts), re-checking the returns that mirror a new one, and the officer's
disposition of a flag.

A licensee's figures are compared with its counterparts' own returns (the ``mirror`` check), so
when a return is checked, the latest returns that name its licensee for an overlapping period
and were checked before it was filed are checked again, once (no ping-pong)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone, translation

from duediligence.models import Disposition, ReturnCheckResult
from duediligence.normalise import number_key
from duediligence.return_checks import RETURN_CHECKS
from duediligence.return_facts import (
    latest_versions,
    licence_number_key,
    load_facts,
    names_licensee,
    own_keys,
    raw_variants,
)
from duediligence.services.rescoring import rescore_after_commit
from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models import Verb
from licensing.services.audit import record_event, record_events
from licensing.services.common import require_reason
from returns.models import Return, ReturnCounterpart, ReturnPeriod

BATCH_SIZE = 500


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _latest_results(return_ids: list[int]) -> dict[int, dict[str, ReturnCheckResult]]:
    latest_run = (
        ReturnCheckResult.objects.filter(filed_return_id=OuterRef("filed_return_id"))
        .order_by("-run")
        .values("run")[:1]
    )
    found: dict[int, dict[str, ReturnCheckResult]] = defaultdict(dict)
    for result in ReturnCheckResult.objects.filter(
        filed_return_id__in=return_ids, run=Subquery(latest_run)
    ):
        found[result.filed_return_id][result.code] = result
    return found


def _counts(result: ReturnCheckResult) -> bool:
    return result.is_flag and result.disposition != Disposition.CLEARED


@transaction.atomic
def _check_batch(return_ids: list[int], *, cascade: bool) -> dict[int, list[ReturnCheckResult]]:
    facts = load_facts(return_ids, lock=True)
    previous = _latest_results([f.filed_return.pk for f in facts])
    now = timezone.now()
    stored: dict[int, list[ReturnCheckResult]] = {}
    for fact in facts:
        filed = fact.filed_return
        before = previous.get(filed.pk, {})
        run = max((r.run for r in before.values()), default=0) + 1
        rows = []
        for check in RETURN_CHECKS:
            # Officers read the summary: in the authority's language, whoever caused the run.
            with translation.override(settings.LANGUAGE_CODE):
                finding = check.run(fact)
            result = ReturnCheckResult(
                filed_return=filed,
                run=run,
                code=check.code,
                article=check.article,
                outcome=finding.outcome,
                summary=finding.summary,
                evidence=finding.evidence,
            )
            old = before.get(check.code)
            # A flag whose evidence the officer already judged keeps that judgement.
            if (
                result.is_flag
                and old is not None
                and old.disposition
                and (old.outcome, old.evidence) == (result.outcome, result.evidence)
            ):
                result.disposition, result.reason = old.disposition, old.reason
                result.decided_by_id, result.decided_at = old.decided_by_id, old.decided_at
            rows.append(result)
        stored[filed.pk] = rows
        filed.flag_count = sum(_counts(r) for r in rows)
        filed.checked_at = now
        filed.updated_at = now
    ReturnCheckResult.objects.bulk_create([r for rows in stored.values() for r in rows])
    returns = [f.filed_return for f in facts]
    # One UPDATE, a CASE over the few distinct counts (bulk_update's CASE per row costs more
    # than the checks themselves on a batch of 500).
    by_count: dict[int, list[int]] = defaultdict(list)
    for r in returns:
        by_count[r.flag_count].append(r.pk)
    Return.objects.filter(pk__in=[r.pk for r in returns]).update(
        flag_count=Case(
            *(When(pk__in=pks, then=Value(count)) for count, pks in by_count.items()),
            default=F("flag_count"),
            output_field=Return._meta.get_field("flag_count"),
        ),
        checked_at=now,
        updated_at=now,
    )
    record_events(
        returns,
        verb=Verb.CHECKS_RUN,
        by=None,
        changes=[
            {"run": stored[r.pk][0].run, "flags": [x.code for x in stored[r.pk] if x.is_flag]}
            for r in returns
        ],
    )
    rescore_after_commit(
        Return.objects.filter(pk__in=[r.pk for r in returns]).values_list(
            "period__party_id", flat=True
        )
    )
    if cascade:
        _recheck_mirrors(returns)
    return stored


def _recheck_mirrors(returns: list[Return]) -> int:
    """The latest returns that name these licensees for an overlapping period and were
    checked before these were filed: checked again (their mirror changed), without cascading
    further."""
    keys = {r.pk: own_keys(r) for r in returns}
    numbers = {r.period.licence.number for r in returns}
    registrations = {v for r in returns for v in raw_variants(r.period.party.registration_number)}
    rows = (
        ReturnCounterpart.objects.filter(
            Q(licence_number__in=numbers) | Q(registration_number__in=registrations),
            filed_return__checked_at__isnull=False,
            filed_return__period__starts_on__lte=max(r.period.ends_on for r in returns),
            filed_return__period__ends_on__gte=min(r.period.starts_on for r in returns),
        )
        .exclude(filed_return_id__in=keys)
        .values(
            "filed_return_id",
            "filed_return__period_id",
            "filed_return__checked_at",
            "filed_return__period__starts_on",
            "filed_return__period__ends_on",
            "licence_number",
            "registration_number",
            "country",
        )
    )
    named: dict[str, list[Return]] = defaultdict(list)  # by licence number or registration key
    for r in returns:
        for key in keys[r.pk]:
            if key:
                named[key].append(r)
    stale: dict[int, int] = {}
    for row in rows:
        starts, ends = row["filed_return__period__starts_on"], row["filed_return__period__ends_on"]
        candidates = named.get(licence_number_key(row["licence_number"]), []) + named.get(
            number_key(str(row["country"]), row["registration_number"]), []
        )
        if any(
            names_licensee(row, *keys[r.pk])
            and starts <= r.period.ends_on
            and r.period.starts_on <= ends
            and row["filed_return__checked_at"] < r.filed_at
            for r in candidates
        ):
            stale[row["filed_return_id"]] = row["filed_return__period_id"]
    if not stale:
        return 0
    latest = set(latest_versions(stale.values()).values())
    targets = sorted(pk for pk in stale if pk in latest)
    return check_returns(targets, cascade=False)


def check_return(*, return_id: int) -> list[ReturnCheckResult]:
    """Every check on this version of a return, as its next run; stores the results, its
    ``flag_count`` and ``checked_at``, and re-checks the returns that mirror it. Jobs call it."""
    return _check_batch([return_id], cascade=True).get(return_id, [])


def check_returns(return_ids: list[int], *, cascade: bool = True) -> int:
    """``check_return`` for many, ``BATCH_SIZE`` at a time, each batch in a fixed number of
    queries and its own transaction. Returns how many returns were checked."""
    checked = 0
    for chunk in _chunks(sorted(set(return_ids)), BATCH_SIZE):
        checked += len(_check_batch(chunk, cascade=cascade))
    return checked


@transaction.atomic
def decide_return_flag(
    *, result_id: int, by: Any, disposition: str, reason: str
) -> ReturnCheckResult:
    """An officer who conducts reviews clears or upholds a flag of the latest run on a
    return, with a reason; audited on the return. The decision can be changed later."""
    if not by.has_perm("duediligence.conduct_review"):
        raise PermissionDenied()
    result = ReturnCheckResult.objects.select_for_update().get(pk=result_id)
    filed = Return.objects.select_for_update().get(pk=result.filed_return_id)
    latest = filed.check_results.order_by("-run").values_list("run", flat=True).first()
    if not result.is_flag or result.run != latest or disposition not in Disposition.values:
        raise TransitionNotAllowed()
    result.reason = require_reason(reason)
    result.disposition = disposition
    result.decided_by = by
    result.decided_at = timezone.now()
    result.save(update_fields=["disposition", "reason", "decided_by", "decided_at", "updated_at"])
    filed.flag_count = sum(_counts(r) for r in filed.check_results.filter(run=latest))
    filed.save(update_fields=["flag_count", "updated_at"])
    record_event(
        filed,
        verb=Verb.FLAG_UPHELD if disposition == Disposition.UPHELD else Verb.FLAG_CLEARED,
        by=by,
        reason=result.reason,
        changes={"check": result.code, "run": result.run, "result": result.pk},
    )
    rescore_after_commit(
        ReturnPeriod.objects.filter(pk=filed.period_id).values_list("party_id", flat=True)
    )
    return result


def unchecked_returns(older_than: dt.timedelta) -> list[int]:
    """Returns filed before ``now - older_than`` whose checks never ran (a lost job)."""
    cutoff = timezone.now() - older_than
    return list(
        Return.objects.filter(checked_at__isnull=True, filed_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
