"""A record's page shows its related rows a page at a time: a party with hundreds of sites or
persons drew every one of them as a form (seconds per page). Each paged inline shows its first
``per_page`` rows; ``?<model>_page=N`` shows the next ones, without counting them (a full page
offers the next), and, where the rows have a list of their own, a link to all of them there.
The same page is read when the form is posted (the form posts to the URL it came from).

The panels under the form that grow with the record's life do the same, newest first: the
audit trail (``?trail_page=N``, every record's page) and a party's history of approved versions
(``?history_page=N``). Each reads one row more than it shows, to know whether there are more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

from licensing.admin.widgets import FastFormsMixin
from licensing.models import AuditEvent, Verb

TRAIL_PER_PAGE = 25
TRAIL_PARAM = "trail_page"
MAX_PAGE = 1_000_000


def page_number(request: HttpRequest, param: str) -> int:
    """The page asked for, from 1 to MAX_PAGE (an offset the database can take)."""
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get(param, "1"))))
    except ValueError:
        return 1


def parent_id(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.kwargs.get("object_id") if match is not None else None


def page_url(request: HttpRequest, param: str, page: int) -> str:
    query = request.GET.copy()
    query[param] = str(page)
    return f"?{query.urlencode()}"


class PageInfo:
    """What the inline's template draws under the rows: the page, the neighbours, the list."""

    def __init__(self, request: HttpRequest, inline: PagedInline, parent: str) -> None:
        self.param = inline.page_param()
        self.page = page_number(request, self.param)
        self.per_page = inline.per_page
        self.previous_url = page_url(request, self.param, self.page - 1) if self.page > 1 else ""
        self.next_url = page_url(request, self.param, self.page + 1)
        self.list_url = inline.list_url(parent)


class PagedInline(FastFormsMixin, admin.options.InlineModelAdmin):
    """Mixed in before the inline's class. ``paged_by``: the foreign key to the parent."""

    per_page = 10
    paged_by = "party"
    template = "admin/licensing/edit_inline/paged_tabular.html"

    def page_param(self) -> str:
        return f"{self.model._meta.model_name}_page"

    def list_url(self, parent: str) -> str:
        """The rows' own admin list, filtered to the parent, where there is one."""
        meta = self.model._meta
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            return ""
        return f"{url}?{self.paged_by}__id__exact={parent}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        parent = parent_id(request)
        if parent is None:
            return queryset
        page = page_number(request, self.page_param())
        rows = queryset.filter(**{f"{self.paged_by}_id": parent})
        if not rows.ordered:
            rows = rows.order_by("pk")
        start = (page - 1) * self.per_page
        # One query: the page's ids as a subquery (LIMIT/OFFSET), read with the rows.
        return queryset.filter(pk__in=rows.values("pk")[start : start + self.per_page])

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        # Django builds the blank form (the row that "Add another" copies) anew each time the
        # page asks for it: for the header, the media, the row itself, a dozen times an inline.
        formset = type(
            formset.__name__,
            (formset,),
            {"empty_form": cached_property(BaseFormSet.empty_form.fget)},  # type: ignore[attr-defined]
        )
        parent = parent_id(request)
        formset.page_info = PageInfo(request, self, parent) if parent is not None else None
        return formset


@dataclass
class PanelPages:
    """The links under a panel read newest first: to older rows and back to newer ones."""

    page: int
    older_url: str
    newer_url: str


def panel_page(
    request: HttpRequest, param: str, rows: list[Any], per_page: int
) -> tuple[list[Any], PanelPages]:
    """``rows``: at most ``per_page + 1`` rows of page ``page_number(request, param)``, newest
    first; the page's rows and its links."""
    page = page_number(request, param)
    pages = PanelPages(
        page=page,
        older_url=page_url(request, param, page + 1) if len(rows) > per_page else "",
        newer_url=page_url(request, param, page - 1) if page > 1 else "",
    )
    return rows[:per_page], pages


def offset(request: HttpRequest, param: str, per_page: int) -> int:
    return (page_number(request, param) - 1) * per_page


class TrailPage(list[AuditEvent]):
    """A page of a record's audit trail: the latest events first (page 1), drawn oldest first
    as the trail reads; ``pages`` links to the earlier and the later events."""

    pages: PanelPages


def paged_trail(
    request: HttpRequest, events: QuerySet[AuditEvent], per_page: int = TRAIL_PER_PAGE
) -> TrailPage:
    start = offset(request, TRAIL_PARAM, per_page)
    newest_first = list(events.order_by("-at", "-pk")[start : start + per_page + 1])
    rows, pages = panel_page(request, TRAIL_PARAM, newest_first, per_page)
    # Each verb's label from one table (``get_verb_display`` reads all the verbs' for each event).
    labels = dict(Verb.choices)
    for event in rows:
        event.verb_label = labels.get(event.verb, event.verb)
    trail = TrailPage(reversed(rows))
    trail.pages = pages
    return trail
