"""What a partner's call disclosed, in the register of disclosures (Art. 5, 22.2): one row per
party the answer was about, to the partner's authority, traced to the call (``ApiCall``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cooperation.models import DisclosureChannel
from cooperation.services.disclosures import Left, record_many


def record_api_disclosures(*, client: Any, call: Any, about: list[tuple[int | None, str]]) -> int:
    by_party: dict[int | None, list[str]] = defaultdict(list)
    for party_id, label in about:
        if label not in by_party[party_id]:
            by_party[party_id].append(label)
    # Art. 5: the API gives identifiers only, never persons' personal data (docs/api.md).
    return record_many(
        channel=DisclosureChannel.API,
        left=[Left(party_id, records) for party_id, records in by_party.items()],
        article="21.1",
        purpose=f"{call.method} {call.endpoint}",
        authority=client.authority,
        source=f"API call {call.pk}",
    )
