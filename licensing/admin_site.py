"""The officers' admin site: Django's, with its navigation built once per set of permissions.

Every admin page lists in its sidebar each model the officer may see, and Django builds that
list anew on each request (a permission check, two URL reversals and a translated name per
model, then a template drawing some forty rows): half of what an empty list page costs. Here
the list is kept per process, for each combination of the permissions that decide it (the
user's, and whether active, staff or superuser), the language and the URL prefix, and the
sidebar's HTML for each of those and each page's place in it (the model whose list is shown is
marked). A change of the officer's permissions makes a new key: it counts on the next request,
as everywhere (licensing/auth_cache.py).

This holds because every ModelAdmin of the project decides what it shows in the navigation from
the user's permissions alone (``has_module_permission``, ``has_add_permission``...); an admin
whose answer depended on anything else would be shown as first computed.

Named in INSTALLED_APPS in place of ``django.contrib.admin`` (``OfficersAdminConfig``); outside
the ``licensing.admin`` package, which registers the ModelAdmins and so cannot be imported while
the site is set up."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

# Distinct keys are few (roles x languages x pages); the bound only guards against a surprise.
MAX_ENTRIES = 2000


def _copy(app_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy a caller may sort or change without changing the kept one."""
    return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]


class OfficersSite(AdminSite):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._app_lists: dict[Hashable, list[dict[str, Any]]] = {}
        self._sidebars: dict[Hashable, SafeString] = {}

    def _access_key(self, request: HttpRequest) -> Hashable:
        user: Any = request.user
        return (
            user.is_active,
            user.is_staff,
            user.is_superuser,
            frozenset(user.get_all_permissions()) if user.is_active else frozenset(),
            translation.get_language(),
            get_script_prefix(),
        )

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        key = (self._access_key(request), app_label)
        kept = self._app_lists.get(key)
        if kept is None:
            kept = super().get_app_list(request, app_label)
            if len(self._app_lists) >= MAX_ENTRIES:
                self._app_lists.clear()
            self._app_lists[key] = kept
        return _copy(kept)

    def nav_sidebar(self, request: HttpRequest) -> SafeString:
        """Django's sidebar list (``admin/app_list.html``) as it would draw it on this page."""
        app_list = self._app_lists.get((self._access_key(request), None))
        if app_list is None:
            app_list = self.get_app_list(request)
        # What the template marks from the path: the current app and the current model.
        path = urlencode(request.path)
        here = tuple(
            url
            for app in app_list
            for url in (app["app_url"], *(model["admin_url"] for model in app["models"]))
            if url and url in path
        )
        key = (self._access_key(request), here)
        html = self._sidebars.get(key)
        if html is None:
            context = {"app_list": app_list, "show_changelinks": False, "request": request}
            html = mark_safe(render_to_string("admin/app_list.html", context))  # noqa: S308 - a template, escaped
            if len(self._sidebars) >= MAX_ENTRIES:
                self._sidebars.clear()
            self._sidebars[key] = html
        return html

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        # Called by the template only when it draws the sidebar (templates/admin/nav_sidebar.html).
        draw: Callable[[], SafeString] = lambda: self.nav_sidebar(request)  # noqa: E731
        context["nav_sidebar_html"] = draw
        return context


class OfficersAdminConfig(AdminConfig):
    default_site = "licensing.admin_site.OfficersSite"
