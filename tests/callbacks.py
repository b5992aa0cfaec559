"""Callbacks a transaction registered with ``on_commit``, without the audit chain's linking,
which every transaction that writes an audit event registers once (licensing/audit_chain.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from licensing.audit_chain import _LinkAfterCommit


def side_effects(callbacks: Sequence[Callable[[], Any]]) -> list[Callable[[], Any]]:
    return [callback for callback in callbacks if not isinstance(callback, _LinkAfterCommit)]
