"""Gates: rules of the apps above the core (equipment, duediligence) that may hold a transition
back without the core importing them (DESIGN.md: the core imports neither).

An upper app registers, in its ``AppConfig.ready()``, a function that answers why a transition
may not run now: ``register_gate("application.approve", due_diligence_gate)``. The core asks
every gate of a transition in ``licensing.transitions.blockers``, so the admin draws the reason
on the disabled button and ``run_transition`` refuses with it, as it does for the core's own
conditions (an unpaid fee)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from licensing.exceptions import DomainError

Gate = Callable[[Any], list[DomainError]]

_gates: dict[str, list[Gate]] = {}
_suspended: ContextVar[bool] = ContextVar("gates_suspended", default=False)


def gate_key(instance: Any, name: str) -> str:
    """``"application.approve"``: the model's name and the transition's."""
    return f"{instance._meta.model_name}.{name}"


def register_gate(key: str, gate: Gate) -> None:
    """Add ``gate`` to the transition ``key``; registering the same function again is a no-op
    (``ready()`` may run more than once in tests)."""
    registered = _gates.setdefault(key, [])
    if gate not in registered:
        registered.append(gate)


def unregister_gate(key: str, gate: Gate) -> None:
    registered = _gates.get(key, [])
    if gate in registered:
        registered.remove(gate)


def gate_blockers(instance: Any, name: str) -> list[DomainError]:
    """What every gate of this transition says against running it now."""
    if _suspended.get():
        return []
    found: list[DomainError] = []
    for gate in _gates.get(gate_key(instance, name), []):
        found.extend(gate(instance))
    return found


@contextmanager
def suspended() -> Iterator[None]:
    """Only for building the demo world on a throwaway database (``build_demo_fixture``): its
    past decisions are replayed by the core's services alone, and the upper apps' records are
    not part of the fixture. Never used on a request or in a job."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)
