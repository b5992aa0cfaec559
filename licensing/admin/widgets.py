"""Forms drawn in Python where Django draws them through a template by the hundred. A party's
page holds some sixty forms (a page of each inline, each with an empty row to copy): every
input, text area and empty error list of them was a template rendered, and every select of a
model field's fixed choices read and sorted its choices again (the world's countries: 250
translated names) and drew each option through a template; together most of the page's time.

- ``FastSelect``: the options of a model field's choices, drawn once per language;
- ``FastRenderer``: Django's form renderer, drawing inputs, text areas, the admin's date inputs
  and empty error lists in Python, but only while the templates it would use are Django's own
  (their source as below; else through them);
- a select of records (a declaration's person) drawn in Python too, its options read once;
- an inline's scripts and styles read from one of its rows, not merged from each.

The same HTML as Django's templates, escaped the same way (tests/licensing/test_admin_widgets.py
draws both and compares)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from django import forms
from django.contrib.admin import helpers
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

# (choices' key, language) -> [(value as text, option, option selected)]
_RENDERED: dict[tuple[str, str | None], list[tuple[str, str, str]]] = {}
_LISTED: dict[tuple[str, str | None], list[Any]] = {}


def _option(value: Any, label: Any, selected: bool = False) -> str:
    text = "" if value is None else escape(str(value))
    return f'<option value="{text}"{" selected" if selected else ""}>{escape(str(label))}</option>'


class KeptChoices(BaseChoiceIterator):
    """A model field's choices, read once per language and shared by every form that shows
    them (a form's copy of a field copies this object as itself). ``key`` names the choices:
    the same key, the same choices."""

    def __init__(self, key: str, source: Any) -> None:
        self.key = key
        self.source = source

    def _listed(self) -> list[Any]:
        at = (self.key, translation.get_language())
        listed = _LISTED.get(at)
        if listed is None:
            listed = _LISTED[at] = list(self.source)
        return listed

    def __iter__(self) -> Any:
        return iter(self._listed())

    def __len__(self) -> int:
        return len(self._listed())

    def __copy__(self) -> KeptChoices:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> KeptChoices:
        return self

    def rendered(self) -> list[tuple[str, str, str]] | None:
        """Each option drawn unselected and selected; None for grouped choices."""
        at = (self.key, translation.get_language())
        rendered = _RENDERED.get(at)
        if rendered is None:
            listed = self._listed()
            if any(isinstance(label, list | tuple) for _value, label in listed):
                return None
            rendered = _RENDERED[at] = [
                (
                    "" if value is None else str(value),
                    _option(value, label),
                    _option(value, label, True),
                )
                for value, label in listed
            ]
        return rendered


class FastSelect(forms.Select):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        rendered = self.choices.rendered() if isinstance(self.choices, KeptChoices) else None
        if rendered is None:
            return self._render_any(name, value, attrs)
        parts: list[str] = [
            format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))
        ]
        # As Django's optgroups: the first option whose value is among the values is selected.
        chosen = set(self.format_value(value))
        for text, plain, selected in rendered:
            if chosen and text in chosen:
                parts.append(selected)
                chosen = set()
            else:
                parts.append(plain)
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - each value and label escaped above

    def _render_any(self, name: str, value: Any, attrs: dict[str, Any] | None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                _option(option["value"], option["label"], bool(option["selected"]))
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - each value and label escaped above


# Django's templates that FastRenderer draws in Python, by their source.
INPUT = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
ATTRS = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
    "{% endfor %}"
)
INCLUDES_INPUT = '{% include "django/forms/widgets/input.html" %}\n'
TEXTAREA = (
    '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
    "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n"
)
ADMIN_DATE = '<p class="date">\n  {% include "django/forms/widgets/date.html" %}\n</p>\n'
ADMIN_TIME = '<p class="time">\n  {% include "django/forms/widgets/time.html" %}\n</p>\n'
ERRORS_UL = (
    '{% if errors %}<ul class="{{ error_class }}"{% if errors.field_id %} '
    'id="{{ errors.field_id }}_error"{% endif %}>{% for error in errors %}<li>{{ error }}</li>'
    "{% endfor %}</ul>{% endif %}"
)
ERRORS_DEFAULT = '{% include "django/forms/errors/list/ul.html" %}'
INPUT_TYPES: tuple[str, ...] = ("text", "hidden", "checkbox", "date", "time", "datetime")
INPUT_TYPES += ("email", "number", "url", "password", "tel", "search", "color")


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless marked safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _textarea(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


Draw = Callable[[dict[str, Any]], str | None]


def _admin_input(kind: str) -> Draw:
    """The admin's date or time input: Django's input in a paragraph."""

    def draw(context: dict[str, Any]) -> str:
        return f'<p class="{kind}">\n  {_input(context)}\n\n\n</p>'

    return draw


def _no_errors(context: dict[str, Any]) -> str | None:
    """An empty list draws nothing; one with errors goes through the template (None)."""
    return None if context["errors"] else ""


def _drawers() -> dict[str, tuple[Draw, dict[str, str]]]:
    """Each template drawn in Python: how, and the sources it and its includes must have. As
    the renderer's own output, without the whitespace around it."""
    sources = {
        "django/forms/widgets/input.html": INPUT,
        "django/forms/widgets/attrs.html": ATTRS,
    }
    drawers: dict[str, tuple[Draw, dict[str, str]]] = {}
    for kind in INPUT_TYPES:
        name = f"django/forms/widgets/{kind}.html"
        drawers[name] = (_input, {name: INCLUDES_INPUT, **sources})
    drawers["django/forms/widgets/textarea.html"] = (
        _textarea,
        {"django/forms/widgets/textarea.html": TEXTAREA, **sources},
    )
    for kind, source in (("date", ADMIN_DATE), ("time", ADMIN_TIME)):
        name = f"django/forms/widgets/{kind}.html"
        drawers[f"admin/widgets/{kind}.html"] = (
            _admin_input(kind),
            {f"admin/widgets/{kind}.html": source, name: INCLUDES_INPUT, **sources},
        )
    errors = {"django/forms/errors/list/ul.html": ERRORS_UL}
    drawers["django/forms/errors/list/ul.html"] = (_no_errors, errors)
    drawers["django/forms/errors/list/default.html"] = (
        _no_errors,
        {"django/forms/errors/list/default.html": ERRORS_DEFAULT, **errors},
    )
    return drawers


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with the templates above drawn in Python while each is
    the one Django ships (checked once, by its source and those of its includes)."""

    def __init__(self) -> None:
        super().__init__()
        self._drawn: dict[str, Draw | None] = {}

    def _drawer(self, template_name: str) -> Draw | None:
        if template_name not in self._drawn:
            known = _drawers().get(template_name)
            same = known is not None and all(
                self.get_template(name).template.source == source
                for name, source in known[1].items()
            )
            self._drawn[template_name] = known[0] if known is not None and same else None
        return self._drawn[template_name]

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        draw = self._drawer(template_name)
        drawn = draw(context) if draw is not None else None
        if drawn is None:
            return super().render(template_name, context, request)
        return drawn


FAST_RENDERER = FastRenderer()


class OneRowMedia(helpers.InlineAdminFormSet):
    """Django's inline on a record's page, its scripts and styles read from one row: Django
    reads them from every row and merges them one by one, and every row of an inline is the
    same form (``BaseFormSet.media`` reads the first only, for that reason)."""

    @property
    def media(self) -> forms.Media:
        media = self.opts.media + self.formset.media
        for row in islice(self, 1):
            media += row.media
        return media


class FastFormsMixin:
    """For a ModelAdmin or an inline: its forms drawn by ``FastRenderer``, and the selects of a
    model field's choices drawn in Python, the choices kept per language."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        form.default_renderer = FAST_RENDERER  # a class made for this request
        return form

    def get_inline_formsets(self, *args: Any, **kwargs: Any) -> list[Any]:
        inline_formsets: list[Any] = super().get_inline_formsets(*args, **kwargs)  # type: ignore[misc]
        for inline_formset in inline_formsets:
            inline_formset.__class__ = OneRowMedia
        return inline_formsets

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        # A plain select of records (not the autocomplete, raw id or radio buttons).
        if field is not None and type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices = field.widget.choices
            field.widget = fast
        return field

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        # Classes made for this request: the formset's own inputs, then its forms'.
        formset.renderer = formset.form.default_renderer = FAST_RENDERER
        return formset

    def formfield_for_choice_field(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_choice_field(db_field, request, **kwargs)  # type: ignore[misc]
        widget = field.widget
        if isinstance(widget, forms.Select) and not isinstance(
            widget, forms.SelectMultiple | FastSelect
        ):
            fast = FastSelect(attrs=widget.attrs)
            if "choices" in kwargs:  # chosen here (radio buttons): not the field's own
                fast.choices = field.choices
            else:
                # The model field's choices, the blank one included or not by the field alone.
                key = f"{db_field.model._meta.label_lower}.{db_field.name}:{field.required}"
                field.choices = KeptChoices(key, field.choices)
                fast.choices = field.choices
            field.widget = fast
        return field
