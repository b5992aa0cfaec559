"""The officers' dashboard on the admin's home page (templates/admin/licensing/index.html)."""

from __future__ import annotations

from typing import Any

from django import template

from licensing import dashboard as selectors

register = template.Library()


@register.inclusion_tag("admin/licensing/dashboard.html", takes_context=True)
def officer_dashboard(context: Any) -> dict[str, Any]:
    user = context["request"].user
    if not selectors.shows_dashboard(user):
        return {"show": False}
    return {"show": True, **selectors.dashboard(user)}
