"""What the apps below tell cooperation: seizure records exported for another Party
(``seizures.signals.records_exported``, Art. 21.1(e)) go to the register of disclosures, in the
export's transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext

from cooperation.models import DisclosureChannel
from cooperation.services.disclosures import Left, record_many
from seizures.signals import records_exported


@receiver(records_exported, dispatch_uid="cooperation.seizures_exported")
def seizures_exported(
    sender: Any, by: Any, purpose: str, persons: bool, cases: list[Any], **kwargs: Any
) -> None:
    by_party: dict[int | None, list[str]] = defaultdict(list)
    personal: dict[int | None, bool] = defaultdict(bool)
    for party_id, reference, with_persons in cases:
        by_party[party_id].append(f"seizure {reference}")
        personal[party_id] |= bool(with_persons)
    record_many(
        channel=DisclosureChannel.EXPORT,
        left=[
            Left(party_id, records, personal[party_id]) for party_id, records in by_party.items()
        ],
        article="21.1(e)",
        purpose=purpose,
        recipient=purpose or gettext("not named"),
        by=by,
        source="seizures export",
    )
