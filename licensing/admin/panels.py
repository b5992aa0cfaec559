"""Panels that the apps above the core add to a change page of the core's admin (the due
diligence of an application), without the core importing them (DESIGN.md).

``register_panel("licensing.application", render)``: ``render(request, obj)`` returns HTML
built with ``format_html`` (user data escaped) or ``""`` when it has nothing to show to this
user. Panels are drawn under the decision buttons, in the order registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, Any], SafeString | str]

_panels: dict[str, list[Panel]] = {}


def register_panel(label: str, panel: Panel) -> None:
    registered = _panels.setdefault(label, [])
    if panel not in registered:
        registered.append(panel)


def panels_for(request: HttpRequest, obj: Any) -> list[SafeString | str]:
    rendered = (panel(request, obj) for panel in _panels.get(obj._meta.label_lower, []))
    return [html for html in rendered if html]
