"""The EU tracking-and-tracing identifier codes (Reg. (EU) 2018/574) of what the API shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def operator_code(party: Any) -> str | None:
    return None


def facility_codes(sites: Iterable[Any]) -> dict[int, str]:
    return {}


def machine_code(machine: Any) -> str | None:
    return None


def machines_by_identifier(machines: Any, identifier: str) -> Any:
    """The authority's machine identifier, or the machine's EU identifier code."""
    return machines.filter(identifier=identifier)
