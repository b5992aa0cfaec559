"""Adverse identity sources: who screening treats as a risk, and why.

A source answers ``adverse_matches(keys_by_kind)`` with the keys (of those given) that belong to
an adverse identity, in one indexed query (``kind = ... AND value IN (...)``). The related-party
check (Art. 6.3(d), 7.4) asks every source registered with ``register_source``; the machine
check asks every source registered with ``register_machine_source`` about serial numbers. Other
apps plug their own in from their ``AppConfig.ready()``: parties named in licensees' reports
(Art. 7.1(c), 10.1(a)), holders of seized or destroyed machines (the equipment register)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import asdict, dataclass
from functools import reduce
from operator import or_
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from duediligence.models import BlockedCustomer, KeyKind, ScreeningKey
from licensing.models import Application, ApplicationState, Licence, LicenceState

KeysByKind = Mapping[str, Set[str]]


@dataclass(frozen=True)
class Match:
    """One adverse identity sharing one key: stored as evidence (``as_evidence``)."""

    source: str  # the source's code
    reason: str  # why it is adverse, in words
    kind: str  # the kind of key shared
    value: str  # the normalised key
    party_id: int | None = None
    party: str = ""
    person: str = ""
    reference: str = ""  # the licence, application or decision that makes it adverse

    def as_evidence(self) -> dict[str, Any]:
        return asdict(self)


class AdverseSource(Protocol):
    code: str

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]: ...


def keys_q(keys_by_kind: KeysByKind, kinds: Set[str] | None = None) -> Q | None:
    """``(kind = a AND value IN (...)) OR (kind = b AND ...)``: each branch an index lookup on
    ``screening_key_lookup``. None when there is nothing to look up."""
    branches = [
        Q(kind=kind, value__in=sorted(values))
        for kind, values in keys_by_kind.items()
        if values and (kinds is None or kind in kinds)
    ]
    return reduce(or_, branches) if branches else None


# Keys that tie two parties together. A name alone does not (namesakes are common); a person
# does only with the date of birth (``normalise.person_key``).
LINKING_KINDS = frozenset(
    {
        KeyKind.REGISTRATION,
        KeyKind.TAX,
        KeyKind.IBAN,
        KeyKind.ACCOUNT,
        KeyKind.ADDRESS,
        KeyKind.PERSON,
        KeyKind.ID_DOCUMENT,
    }
)


def _rows(query: Q, **filters: Any) -> Any:
    return (
        ScreeningKey.objects.filter(query, **filters)
        .order_by("party_id", "kind", "value")
        .values("kind", "value", "party_id", "party__legal_name", "person__full_name")
    )


class RefusedApplicants:
    """Parties whose application was refused (Art. 6.3(d))."""

    code = "refused_application"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        query = keys_q(keys_by_kind, LINKING_KINDS)
        if query is None:
            return []
        refused = Application.objects.filter(state=ApplicationState.REFUSED)
        rows = _rows(query, party_id__in=refused.values("party_id")).annotate(
            reference=Subquery(
                refused.filter(party_id=OuterRef("party_id"))
                .order_by("-pk")
                .values("reference")[:1]
            )
        )
        reason = str(_("an application of this party was refused"))
        return [_match(self.code, reason, row) for row in rows]


class RevokedLicensees:
    """Parties whose licence was revoked (Art. 6.3(d))."""

    code = "revoked_licence"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        query = keys_q(keys_by_kind, LINKING_KINDS)
        if query is None:
            return []
        revoked = Licence.objects.filter(state=LicenceState.REVOKED)
        rows = _rows(query, party_id__in=revoked.values("holder_id")).annotate(
            reference=Subquery(
                revoked.filter(holder_id=OuterRef("party_id")).order_by("-pk").values("number")[:1]
            )
        )
        reason = str(_("a licence of this party was revoked"))
        return [_match(self.code, reason, row) for row in rows]


class BlockedCustomers:
    """Blocked customers in force (Art. 7.4): a blocked party through all its keys, a blocked
    person through theirs, a free identity through the keys of its own record."""

    code = "blocked_customer"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        query = keys_q(keys_by_kind, LINKING_KINDS)
        if query is None:
            return []
        blocked = BlockedCustomer.objects.in_force()
        rows = (
            ScreeningKey.objects.filter(query)
            .filter(
                Q(party_id__in=blocked.filter(person__isnull=True).values("party_id"))
                | Q(person_id__in=blocked.values("person_id"))
                | Q(
                    source_type=ContentType.objects.get_for_model(BlockedCustomer),
                    source_id__in=blocked.values("pk"),
                )
            )
            .order_by("party_id", "kind", "value")
            .values(
                "kind", "value", "party_id", "party__legal_name", "person__full_name", "source_id"
            )
        )
        reason = str(_("a blocked customer"))
        return [_match(self.code, reason, row) for row in rows]


class OtherHoldersMachines:
    """The core's built-in machine source: a serial number another party has declared in an
    application that is not a draft or withdrawn (Art. 6.3(b)(iv))."""

    code = "declared_by_another"
    excludes_applicant = True

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        serials = keys_by_kind.get(KeyKind.SERIAL, set())
        if not serials:
            return []
        # Parties' declarations only: a seized machine's serial is the seizures' own source.
        rows = _rows(Q(kind=KeyKind.SERIAL, value__in=sorted(serials)), party__isnull=False)
        reason = str(_("declared by another party"))
        return [_match(self.code, reason, row) for row in rows]


def _match(code: str, reason: str, row: Mapping[str, Any]) -> Match:
    return Match(
        source=code,
        reason=reason,
        kind=row["kind"],
        value=row["value"],
        party_id=row["party_id"],
        party=row.get("party__legal_name") or "",
        person=row.get("person__full_name") or "",
        reference=str(row.get("reference") or ""),
    )


_sources: list[AdverseSource] = []
_machine_sources: list[AdverseSource] = []


def register_source(source: AdverseSource) -> None:
    """Add an adverse identity source to the related-party check (once per code)."""
    if all(existing.code != source.code for existing in _sources):
        _sources.append(source)


def register_machine_source(source: AdverseSource) -> None:
    """Add a serial-number source to the machine check (once per code)."""
    if all(existing.code != source.code for existing in _machine_sources):
        _machine_sources.append(source)


def adverse_sources() -> list[AdverseSource]:
    return list(_sources)


def machine_sources() -> list[AdverseSource]:
    return list(_machine_sources)


def register_builtin_sources() -> None:
    register_source(RefusedApplicants())
    register_source(RevokedLicensees())
    register_source(BlockedCustomers())
    register_machine_source(OtherHoldersMachines())
    from duediligence.equipment_source import EquipmentRegister

    register_machine_source(EquipmentRegister())
