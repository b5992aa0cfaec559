"""What the state machines share: conditions that explain themselves, and the one check that
both the services (to refuse) and the admin (to draw a disabled button with its reason) use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.gates import gate_blockers

F = TypeVar("F", bound=Callable[..., Any])


def explained(error: type[DomainError]) -> Callable[[F], F]:
    """Name the domain error a transition condition raises when it is not met."""

    def wrap(func: F) -> F:
        func.error = error  # type: ignore[attr-defined]
        return func

    return wrap


def _meta(instance: models.Model, name: str) -> Any:
    meta = getattr(getattr(type(instance), name, None), "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{type(instance).__name__}.{name} is not a transition")
    return meta


def blockers(instance: models.Model, name: str, user: Any) -> list[DomainError]:
    """Why ``user`` cannot run transition ``name`` on ``instance`` now; empty when they can.

    Wrong state comes first, then permission, then each unmet condition, then the gates of the
    apps above the core (``licensing.gates``), then the rules that depend on this user and this
    record (four eyes). ``user=None`` is the system (jobs)."""
    meta = _meta(instance, name)
    field_name = meta.field if isinstance(meta.field, str) else meta.field.name
    transition = meta.get_transition(getattr(instance, field_name))
    if transition is None:
        return [TransitionNotAllowed()]
    if user is not None and not transition.has_perm(instance, user):
        return [PermissionDenied()]
    found: list[DomainError] = [
        getattr(condition, "error", TransitionNotAllowed)()
        for condition in transition.conditions or []
        if not condition(instance)
    ]
    found.extend(gate_blockers(instance, name))
    user_rules = getattr(instance, "user_blockers", None)
    if user is not None and callable(user_rules):
        found.extend(user_rules(name, user))
    return found


def ensure_allowed(instance: models.Model, name: str, user: Any) -> None:
    """Raise the first reason why the transition may not run."""
    found = blockers(instance, name, user)
    if found:
        raise found[0]
