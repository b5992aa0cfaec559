"""Seizures as adverse sources of due diligence (Art. 6.3(d), 7, 18, 21.1(e)).

``SeizedIdentities``: the related-party check finds a key (a registration or tax number, an
address, a person with date of birth, an identity document) shared with the party or a person
of a seizure case, ours or a partner's; a seizure is the authority's own finding, so it counts
as soon as it is recorded. ``SeizedSerials``: the machine check finds a declared serial number
that a seized machine carried (cloned or not): that serial must not come back into use."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from duediligence.models import KeyKind, ScreeningKey
from duediligence.sources import LINKING_KINDS, KeysByKind, Match, keys_q
from seizures.models import SeizureCase


def _rows(query: object) -> list[dict[str, object]]:
    case = SeizureCase.objects.filter(pk=OuterRef("source_id"))
    return list(
        ScreeningKey.objects.filter(
            query, source_type=ContentType.objects.get_for_model(SeizureCase)
        )
        .annotate(
            reference=Subquery(case.values("reference")[:1]),
            agency=Subquery(case.values("agency")[:1]),
            party_name=Subquery(case.values("party_name")[:1]),
        )
        .order_by("source_id", "kind", "value")
        .values("kind", "value", "source_id", "reference", "agency", "party_name")
    )


def _match(code: str, reason: str, row: dict[str, object]) -> Match:
    return Match(
        source=code,
        reason=reason,
        kind=str(row["kind"]),
        value=str(row["value"]),
        party=str(row["party_name"] or ""),
        reference=str(row["reference"] or ""),
    )


class SeizedIdentities:
    code = "seizure_case"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        query = keys_q(keys_by_kind, LINKING_KINDS)
        if query is None:
            return []
        return [
            _match(
                self.code,
                _("involved in seizure case %(reference)s (%(agency)s)")
                % {"reference": row["reference"], "agency": row["agency"]},
                row,
            )
            for row in _rows(query)
        ]


class SeizedSerials:
    code = "seized_serial"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        query = keys_q(keys_by_kind, {KeyKind.SERIAL})
        if query is None:
            return []
        return [
            _match(
                self.code,
                _("carried by a machine seized in case %(reference)s")
                % {"reference": row["reference"]},
                row,
            )
            for row in _rows(query)
        ]
