"""What every filing step shares: its parts (forms and formsets) and the rows a formset saves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BaseModelFormSet
from django.forms.formsets import BaseFormSet

from licensing.portal.filing import Filing

# Empty rows a formset shows: one, or one more after "Add another row" (without JavaScript
# the page is saved and shown again with a second empty row).
_empty_rows: ContextVar[int] = ContextVar("empty_rows", default=1)


@contextmanager
def empty_rows(count: int) -> Iterator[None]:
    token = _empty_rows.set(count)
    try:
        yield
    finally:
        _empty_rows.reset(token)


@dataclass
class Part:
    """A form, a formset or a list of forms shown on one page."""

    forms: list[tuple[Any, Any]]  # (legend, form)
    formset: BaseFormSet | None = None
    legend: Any = ""  # a formset's row legend, numbered per row

    @property
    def model_formset(self) -> BaseModelFormSet:
        """The part's model formset; a step that saves rows has one."""
        if not isinstance(self.formset, BaseModelFormSet):
            raise TypeError("this part has no model formset")
        return self.formset

    @property
    def all_valid(self) -> bool:
        if self.formset is not None:
            return self.formset.is_valid()
        return all(form.is_valid() for _legend, form in self.forms)


def single(form: forms.BaseForm) -> Part:
    return Part([(None, form)])


def formset_part(formset: BaseFormSet, legend: Any) -> Part:
    if not formset.is_bound:
        formset.extra = _empty_rows.get()
    rows = [(f"{legend} {i}", form) for i, form in enumerate(formset.forms, start=1)]
    return Part(rows, formset, legend)


def changed_rows(formset: forms.BaseModelFormSet) -> list[Any]:
    """The instances of rows that are new and filled in, or existing; not removed ones."""
    rows = []
    for form in formset.forms:
        if form in formset.deleted_forms:
            continue
        if form.instance.pk or form.has_changed():
            rows.append(form.save(commit=False))
    return rows


def removed_rows(formset: forms.BaseModelFormSet) -> list[Any]:
    return [form.instance for form in formset.deleted_forms if form.instance.pk]


def save_owned(service: Any, filing: Filing, parts: list[Part], by: Any) -> Filing:
    """A step of rows the party owns (tax numbers, bank accounts): one service call."""
    formset = parts[0].model_formset
    service(
        party=filing.party,
        application=filing.application,
        rows=changed_rows(formset),
        removed=removed_rows(formset),
        by=by,
    )
    return filing


class Step:
    slug = ""
    title: Any = ""
    hint: Any = ""
    needs_application = False

    def applies(self, filing: Filing) -> bool:
        return True

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        raise NotImplementedError

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        raise NotImplementedError


class ApplicationStep(Step):
    needs_application = True

    @staticmethod
    def app(filing: Filing) -> Any:
        assert filing.application is not None  # noqa: S101 - the view checks needs_application
        return filing.application
