"""Counterparties named in licensees' reports, as an adverse identity source of the
related-party check (Art. 6.3(d), 7.1(c), 10.1(a)).

Only reports an officer has accepted count, and only the kinds that say something against the
counterparty (evidence of a contravention, a suspicious transaction or cross-border cash): a
report is one licensee's word about another business, and until the authority has looked at it
it must not hold up that business's application; a dismissed report says nothing at all. A
pending report is in the officer queue, where it is dealt with first. A customer's
due-diligence record describes an ordinary customer and is never adverse."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from duediligence.models import (
    ADVERSE_KINDS,
    LicenseeReport,
    ReportKind,
    ReportState,
    ScreeningKey,
)
from duediligence.sources import LINKING_KINDS, KeysByKind, Match, keys_q


def adverse_reports() -> QuerySet[LicenseeReport]:
    return LicenseeReport.objects.filter(state=ReportState.ACCEPTED, kind__in=ADVERSE_KINDS)


class ReportedCounterparties:
    code = "licensee_report"

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        """One indexed query: the keys of accepted adverse reports among those given, with the
        report's counterparty and kind beside each."""
        query = keys_q(keys_by_kind, LINKING_KINDS)
        if query is None:
            return []
        report = LicenseeReport.objects.filter(pk=OuterRef("source_id"))
        rows = (
            ScreeningKey.objects.filter(
                query,
                source_type=ContentType.objects.get_for_model(LicenseeReport),
                source_id__in=adverse_reports().values("pk"),
            )
            .annotate(
                customer=Subquery(report.values("customer_name")[:1]),
                report_kind=Subquery(report.values("kind")[:1]),
            )
            .order_by("source_id", "kind", "value")
            .values("kind", "value", "source_id", "customer", "report_kind")
        )
        matches = []
        for row in rows:
            matches.append(
                Match(
                    source=self.code,
                    reason=_("named in licensee's report %(reference)s, accepted (%(kind)s)")
                    % {
                        "reference": LicenseeReport.reference_for(row["source_id"]),
                        "kind": ReportKind(row["report_kind"]).label,
                    },
                    kind=row["kind"],
                    value=row["value"],
                    party=row["customer"] or "",
                    reference=LicenseeReport.reference_for(row["source_id"]),
                )
            )
        return matches
