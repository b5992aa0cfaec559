"""Stricter controls that an app above the core sets on some licences, read by the apps that
schedule the licence's obligations, without the core or those apps importing it (DESIGN.md).

Art. 12.1: the authority implements effective controls on manufacturing and transactions in
free zones; ``cooperation`` marks sites in free zones and registers a source here, and the
returns (monthly) and the inspection planning (a shorter interval) read ``controls_for``.

``register_controls(source)``: ``source(licence_ids)`` returns ``{licence_id: Controls}`` for
the licences it tightens, in a bounded number of queries whatever the number of ids (the
returns job asks for a thousand licences at once)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Controls:
    monthly_returns: bool = False
    inspection_interval_days: int | None = None
    # What the officer reads on the licence's page, each with its article.
    conditions: tuple[str | Promise, ...] = ()

    def merged(self, other: Controls) -> Controls:
        """The stricter of the two, field by field."""
        days = [d for d in (self.inspection_interval_days, other.inspection_interval_days) if d]
        return Controls(
            monthly_returns=self.monthly_returns or other.monthly_returns,
            inspection_interval_days=min(days) if days else None,
            conditions=self.conditions
            + tuple(c for c in other.conditions if c not in self.conditions),
        )


NONE = Controls()
Source = Callable[[list[int]], dict[int, Controls]]
_sources: list[Source] = []


def register_controls(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def controls_for(licence_ids: Iterable[int]) -> dict[int, Controls]:
    """The stricter controls of these licences; a licence without any is not in the dict."""
    ids = list(licence_ids)
    found: dict[int, Controls] = {}
    if not ids:
        return found
    for source in _sources:
        for licence_id, controls in source(ids).items():
            found[licence_id] = found.get(licence_id, NONE).merged(controls)
    return found
