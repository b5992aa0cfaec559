"""The admin's forms drawn in Python (licensing/admin/widgets.py) are the HTML Django's own
templates draw, escaped the same way, in every language; and a template that is not Django's
own is drawn through the template."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils import translation

from licensing.admin import widgets
from licensing.admin.widgets import FastRenderer, FastSelect, KeptChoices
from licensing.models import Party

TRICKY = 'Fjord & "Tobakk" <AS>'

WIDGETS: list[tuple[forms.Widget, Any]] = [
    (forms.TextInput(attrs={"maxlength": 200, "required": True, "disabled": False}), TRICKY),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.HiddenInput(), 42),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.NumberInput(attrs={"step": "any"}), 3.5),
    (forms.EmailInput(), "a@b.example"),
    (forms.DateInput(), "2026-01-15"),
    (forms.Textarea(attrs={"cols": 40, "rows": 2}), TRICKY),
    (forms.Textarea(), None),
    (forms.Textarea(), ""),
    (admin_widgets.AdminDateWidget(), "2026-01-15"),
    (admin_widgets.AdminTimeWidget(), "10:00"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_an_input_is_drawn_as_django_draws_it(widget: forms.Widget, value: Any) -> None:
    attrs = {"id": "id_field", "class": 'x" onclick="y'}
    django = widget.render("name<", value, attrs, renderer=DjangoTemplates())
    fast = widget.render("name<", value, attrs, renderer=FastRenderer())
    assert fast == django


def test_error_lists_are_drawn_as_django_draws_them() -> None:
    renderer = FastRenderer()
    for errors in ([], ["Too <long>.", "Not a date."]):
        django = ErrorList(errors, renderer=DjangoTemplates())
        fast = ErrorList(errors, renderer=renderer)
        assert str(fast) == str(django)
        assert fast.as_ul() == django.as_ul()


def test_a_template_that_is_not_djangos_own_is_drawn_through_it(monkeypatch: Any) -> None:
    monkeypatch.setattr(widgets, "INPUT", "something else")
    renderer = FastRenderer()
    widget = forms.TextInput()
    drawn = widget.render("name", "value", renderer=renderer)
    assert drawn == widget.render("name", "value", renderer=DjangoTemplates())
    assert renderer._drawn["django/forms/widgets/text.html"] is None
    assert renderer._drawn.get("django/forms/widgets/textarea.html") is None


@pytest.mark.parametrize("language", ["en", "nb", "hu"])
@pytest.mark.parametrize("value", ["NO", "", None, "XX"])
def test_a_select_of_countries_is_drawn_as_django_draws_it(language: str, value: Any) -> None:
    field = Party._meta.get_field("country").formfield()
    kept = KeptChoices("test.country", field.choices)
    with translation.override(language):
        django = forms.Select(choices=list(field.choices)).render("country", value, {"id": "c"})
        fast = FastSelect(choices=kept).render("country", value, {"id": "c"})
        again = FastSelect(choices=kept).render("country", value, {"id": "c"})
    assert "".join(fast.split()) == "".join(django.split())
    assert again == fast


def test_the_kept_choices_are_read_in_the_language_in_use() -> None:
    field = Party._meta.get_field("country").formfield()
    kept = KeptChoices("test.country.names", field.choices)
    with translation.override("en"):
        english = dict(kept)["DE"]
    with translation.override("nb"):
        norwegian = dict(kept)["DE"]
    assert english == "Germany"
    assert norwegian != english
