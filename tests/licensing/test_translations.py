"""The nb and hu catalogues are complete and their e-mails render translated.

The .po files are read with the small reader below (no polib: no new dependency). Every
message must be translated (every plural form too), none may be fuzzy, and each translation
must keep exactly the placeholders of its msgid. The e-mail test needs compiled catalogues:
a session fixture runs ``compilemessages`` so that it passes from a fresh clone.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from licensing.models.applications import ApplicationKind
from licensing.models.notifications import Notification
from licensing.services.notifications import render_notification

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
EMAIL_DIR = Path(settings.BASE_DIR) / "licensing" / "templates" / "licensing" / "email"
PLURAL_FORMS = {
    "nb": "nplurals=2; plural=(n != 1);",
    "hu": "nplurals=2; plural=(n != 1);",
}


# --- A minimal .po reader -------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}

    def __str__(self) -> str:
        context = f" (context {self.fields['msgctxt']!r})" if "msgctxt" in self.fields else ""
        return f"line {self.line}: {self.msgid!r}{context}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") included. Obsolete (#~) entries are kept,
    marked, so that a test can refuse them."""
    entries: list[Entry] = []
    current: Entry | None = None
    key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            current = None
            continue
        if line.startswith("#"):
            if current is not None and current.fields:
                current = None  # a comment after the strings starts the next entry
            if current is None:
                current = Entry(line=number)
                entries.append(current)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        current.obsolete = current.obsolete or obsolete
        match = _KEYWORD.match(line)
        if match:
            key = match.group(1)
            current.fields[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            current.fields[key] += ast.literal_eval(line)
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    return [entry for entry in entries if "msgid" in entry.fields]


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the header must be the first entry"
    return dict(
        line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
        for line in first.fields["msgstr"].splitlines()
        if line
    )


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[Entry]:
    return [entry for entry in read_po(po_path(lang)) if entry.msgid != ""]


# --- Placeholders ------------------------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_VARIABLE = re.compile(r"{{\s*(.*?)\s*}}")


def placeholders(text: str, *, python_format: bool) -> Counter[tuple[str, str]]:
    """``%(name)s``-style (only in python-format messages, where ``%%`` is a literal percent
    sign) and ``{{ name }}``-style placeholders, with their counts."""
    found: Counter[tuple[str, str]] = Counter()
    if python_format:
        for match in _PRINTF.finditer(text.replace("%%", "")):
            found["%", match.group("name") or match.group(0)] += 1
    for match in _VARIABLE.finditer(text):
        found["{{", match.group(1)] += 1
    return found


def placeholder_errors(entry: Entry) -> list[str]:
    python_format = "python-format" in entry.flags
    singular = set(placeholders(entry.msgid, python_format=python_format))
    plural = set(placeholders(entry.fields.get("msgid_plural", ""), python_format=python_format))
    errors = []
    for key, text in entry.msgstrs.items():
        if not text:
            continue  # reported as untranslated
        expected = plural if key not in ("msgstr", "msgstr[0]") else singular
        got = set(placeholders(text, python_format=python_format))
        if got != expected:
            errors.append(f"{entry} {key}: placeholders {sorted(got)} != {sorted(expected)}")
    return errors


# --- The catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_header(lang: str) -> None:
    entries = read_po(po_path(lang))
    fields = header(entries)
    assert fields.get("Language") == lang, f"Language: {fields.get('Language')!r}"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8", fields.get("Content-Type")
    assert fields.get("Plural-Forms") == PLURAL_FORMS[lang], fields.get("Plural-Forms")
    assert "fuzzy" not in entries[0].flags, "the header is marked fuzzy"
    text = entries[0].fields["msgstr"]
    for leftover in ("FIXME", "PACKAGE VERSION", "FULL NAME", "EMAIL@ADDRESS", "LANGUAGE <LL"):
        assert leftover not in text, f"header still has the template's {leftover!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    entries = messages(lang)
    assert entries, f"{po_path(lang)} has no messages"
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].removeprefix("nplurals="))
    problems = []
    for entry in entries:
        if entry.obsolete:
            problems.append(f"{entry}: obsolete entry (run makemessages with --no-obsolete)")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{entry}: fuzzy")
        if "msgid_plural" in entry.fields:
            expected = {f"msgstr[{n}]" for n in range(nplurals)}
            if set(entry.msgstrs) != expected:
                problems.append(f"{entry}: plural forms {sorted(entry.msgstrs)} != {expected}")
        problems.extend(f"{entry} {key}: empty" for key, v in entry.msgstrs.items() if not v)
        problems.extend(placeholder_errors(entry))
    assert not problems, f"{po_path(lang)}:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes() -> None:
    """The checker itself: a dropped, renamed or template-style placeholder is an error."""
    good = Entry(line=1, flags={"python-format"}, fields={"msgid": "A %(x)s", "msgstr": "B %(x)s"})
    assert placeholder_errors(good) == []
    for wrong in ("B", "B %(y)s", "B {{ x }}", "B %(x)s %(z)d"):
        entry = Entry(line=1, flags={"python-format"}, fields={"msgid": "A %(x)s", "msgstr": wrong})
        assert placeholder_errors(entry), wrong
    plural = Entry(
        line=1,
        flags={"python-format"},
        fields={
            "msgid": "one file",
            "msgid_plural": "%(n)d files",
            "msgstr[0]": "egy fájl",
            "msgstr[1]": "fájlok",
        },
    )
    assert placeholder_errors(plural) == [f"{plural} msgstr[1]: placeholders [] != [('%', 'n')]"]


# The ``makemessages`` options of docs/translations.md.
MAKEMESSAGES_IGNORE = [".venv", "var", "tests", "fixtures", "*.egg-info", "static"]
COPY_IGNORE = [".git", "*.mo", "__pycache__", ".*_cache", "node_modules", "test-results"]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext (xgettext, msgmerge)")
def test_catalogues_are_up_to_date(tmp_path: Path) -> None:
    """No translatable string in the code or templates is missing from the catalogues.
    ``makemessages`` runs on a copy of the tree, so the repository's files stay untouched."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(*MAKEMESSAGES_IGNORE, *COPY_IGNORE),
    )
    locale = copy / LOCALE_DIR.relative_to(base)
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[locale]):
            call_command(
                "makemessages",
                locale=LANGUAGES,
                extensions=["html", "txt", "py"],
                ignore_patterns=MAKEMESSAGES_IGNORE,
                no_obsolete=True,
                add_location="file",
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    for lang in LANGUAGES:
        ours = {(e.fields.get("msgctxt"), e.msgid) for e in messages(lang)}
        extracted = [e for e in read_po(locale / lang / "LC_MESSAGES" / "django.po") if e.msgid]
        missing = [str(e) for e in extracted if (e.fields.get("msgctxt"), e.msgid) not in ours]
        assert not missing, (
            f"{po_path(lang)} lacks these messages: run makemessages (docs/translations.md) "
            "and translate them:\n" + "\n".join(missing)
        )


# --- Compiled catalogues at run time -----------------------------------------------------------


@pytest.mark.parametrize("lang", [settings.LANGUAGE_CODE, *LANGUAGES])
def test_every_country_has_a_name_of_its_own(compiled_messages: None, lang: str) -> None:
    """Countries are chosen by name (a competent authority's Party, a transit's origin): two
    with one name could not be told apart (django-countries names both Congos "Kongó" in
    Hungarian; COUNTRIES_OVERRIDE names them)."""
    from django_countries import countries

    with translation.override(lang):
        names = Counter(str(name) for _code, name in countries)
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_wins_at_run_time(compiled_messages: None, lang: str) -> None:
    """Each message resolves to our translation: the .mo is compiled and neither Django's nor
    a third-party app's catalogue shadows it."""
    wrong = []
    with translation.override(lang):
        for entry in messages(lang):
            context = entry.fields.get("msgctxt")
            if "msgid_plural" in entry.fields:
                for n, key in ((1, "msgstr[0]"), (5, "msgstr[1]")):
                    if context is None:
                        got = translation.ngettext(entry.msgid, entry.fields["msgid_plural"], n)
                    else:
                        got = translation.npgettext(
                            context, entry.msgid, entry.fields["msgid_plural"], n
                        )
                    if got != entry.fields[key]:
                        wrong.append(f"{entry} n={n}: {got!r}")
            else:
                if context is None:
                    got = translation.gettext(entry.msgid)
                else:
                    got = translation.pgettext(context, entry.msgid)
                if got != entry.fields["msgstr"]:
                    wrong.append(f"{entry}: {got!r}")
    assert not wrong, "\n".join(wrong)


# --- E-mails -----------------------------------------------------------------------------------

# Every variable an e-mail template uses; queue_notification adds authority, portal_url and
# party_name to the service's own context. A new template variable must be added here.
EMAIL_CONTEXT: dict[str, Any] = {
    "authority": "Tobacco Licensing Authority",
    "portal_url": "https://portal.example",
    "party_name": "Nordlys Tobakk AS",
    "reference": "A-2026-000042-7",
    "licence": "TL-2026-000017-K",
    "successor": "TL-2026-000018-X",
    "transferee": "Duna Dohány Kft.",
    "kind": ApplicationKind.NEW.value,
    "valid_from": "2026-03-01",
    "expires_on": "2028-02-29",
    "grace_ends_on": "2028-05-29",
    "amount": "1500.00",
    "currency": "EUR",
    "invoice": "F-2026-000042-Q",
    "due_on": "2026-04-01",
    "reason": "REASON-TEXT",
    "question": "QUESTION-TEXT",
    "holder": "Nordlys Tobakk AS",
    "accept_url": "https://portal.example/transfer/accept/TOKEN",
    "link_expires_on": "2026-04-15",
    "link": "https://portal.example/link/TOKEN",
    "hours": 24,
    "inviter": "Kari Nordmann",
    "days_left": 7,
    "renewal_url": "https://portal.example/portal/licences/UUID/renew/",
    "admin_url": "https://portal.example/admin/licensing/licence/1/change/",
    "requested_on": "2026-03-01",
    "first_broken": "position 7, event 42: the event has been altered",
    "verified_at": "2026-12-05T01:23:00+00:00",
    "what": "TL-2026-000017-K",
    "detail": "DETAIL-TEXT",
    "requested_at": "2026-12-06 05:40:00",
}
EMAIL_TEMPLATES = sorted(p.stem for p in EMAIL_DIR.glob("*.txt") if not p.name.startswith("_"))
_INCLUDE = re.compile(r"""{%\s*include\s+["']licensing/email/([^"']+)\.txt["']""")
_USES = re.compile(r"{{\s*(\w+)|{%\s*(?:if|elif)\s+(\w+)")


def template_variables(name: str) -> set[str]:
    text = (EMAIL_DIR / f"{name}.txt").read_text(encoding="utf-8")
    used = {a or b for a, b in _USES.findall(text)}
    for included in _INCLUDE.findall(text):
        used |= template_variables(included)
    return used


def variants(name: str) -> list[dict[str, Any]]:
    """One context per branch: the approval e-mail words each application kind differently."""
    if "kind" in template_variables(name):
        return [{**EMAIL_CONTEXT, "kind": kind} for kind in ApplicationKind.values]
    return [EMAIL_CONTEXT]


def render(name: str, lang: str, context: dict[str, Any]) -> tuple[str, str]:
    return render_notification(Notification(template=name, language=lang, context=context))


def test_email_templates_found() -> None:
    assert "application_approved" in EMAIL_TEMPLATES
    assert len(EMAIL_TEMPLATES) >= 11


@pytest.mark.parametrize("name", EMAIL_TEMPLATES)
def test_email_context_is_complete(name: str) -> None:
    missing = template_variables(name) - set(EMAIL_CONTEXT)
    assert not missing, f"add {sorted(missing)} to EMAIL_CONTEXT in this test"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", EMAIL_TEMPLATES)
def test_email_is_translated(compiled_messages: None, name: str, lang: str) -> None:
    values = {str(v) for v in EMAIL_CONTEXT.values()}
    for context in variants(name):
        en_subject, en_body = render(name, settings.LANGUAGE_CODE, context)
        subject, body = render(name, lang, context)
        assert subject and subject != en_subject, f"{name} [{lang}]: subject {subject!r}"
        assert body != en_body
        for text in (subject, body):
            assert "%(" not in text and "{{" not in text and "{%" not in text, text
        # No English sentence survives, apart from lines that are just a context value.
        translated_lines = {line.strip() for line in body.splitlines()}
        english = {line.strip() for line in en_body.splitlines()} - values - {""}
        assert not english & translated_lines, (
            f"{name} [{lang}]: untranslated {english & translated_lines}"
        )
        # The variables the sentence carries are still there.
        for key in ("reference", "licence", "successor", "transferee", "due_on", "expires_on"):
            if str(context[key]) in en_subject + en_body:
                assert str(context[key]) in subject + body, f"{name} [{lang}] lost {key}"
