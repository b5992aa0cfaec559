"""Issue 14: what the authority sends a party is in the party's preferred language.

Every e-mail template (found in the template folder, so a new one is covered) is queued for a
party of each language and rendered by ``render_notification``; each issued document kind is
printed for a holder of each language. The rendering must carry the language's own words, and
no English sentence (4 words or more, names, numbers, dates and addresses left aside) may
survive in the Norwegian or Hungarian one. The catalogues themselves are checked in
test_translations.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from equipment.services import destruction
from equipment.services.certificates import certificate_pdf
from inspections.services import inspections
from inspections.services.reports import report_pdf
from licensing.authority import DEFAULT_AUTHORITY_NAME
from licensing.models import IssuedDocument
from licensing.models.applications import ApplicationKind
from licensing.services.letters import letter_pdf
from licensing.services.notifications import queue_notification, render_notification
from licensing.services.printing import licence_pdf, party_language
from tests.documents.test_issuing import stored_bytes
from tests.documents.test_letters import DECISIONS, decide, decision_event
from tests.equipment.test_destruction import scheduled, witness
from tests.factories import ApplicationFactory, LicenceFactory, MachineFactory, PartyFactory
from tests.factories.inspections import InspectionFactory
from tests.inspections.test_inspections import answer_all
from tests.licensing.test_translations import EMAIL_CONTEXT, template_variables

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = [code for code in LANGUAGES if code != settings.LANGUAGE_CODE]
EMAIL_DIR = Path(settings.BASE_DIR) / "licensing" / "templates" / "licensing" / "email"
EMAIL_TEMPLATES = sorted(p.stem for p in EMAIL_DIR.glob("*.txt") if not p.name.startswith("_"))

# Words of each language (glossary of docs/translations.md): an e-mail has its closing, and
# those addressed to a party by name their salutation; a document has at least one key term.
CLOSING = {"en": "Yours sincerely", "nb": "Med vennlig hilsen", "hu": "Tisztelettel:"}
SALUTATION = {"en": ("Dear ", "Hello,"), "nb": ("Til ", "Hei,"), "hu": ("Tisztelt ",)}
TERMS = {
    "en": ("licence", "application", "decision"),
    "nb": ("bevilling", "søknad", "vedtak"),
    "hu": ("engedély", "kérelem", "döntés"),
}

# --- comparing a rendering with the English one ----------------------------------------------

MASK = "\u220e"
_OPAQUE = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[A-Z]{1,3}-\d{4}-\d+-\w\b|\d[\d.,:/-]*"
)
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n")
_WORD = re.compile(r"[^\W\d_]+")


def masked(text: str, values: set[str]) -> str:
    """The text with every context value (names, references, officer text), URL, e-mail
    address and number replaced by one mark, and its white space made single spaces."""
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= 3:
            # A value may be wrapped over lines in a PDF.
            pattern = r"\s+".join(re.escape(word) for word in value.split())
            text = re.sub(rf"(?<!\w){pattern}(?!\w)", MASK, text)
    return _OPAQUE.sub(MASK, text)


def english_fragments(english: str, values: set[str]) -> set[str]:
    """Each sentence of the English text, and each run of words between two masked values,
    that has four words or more."""
    found = set()
    for sentence in _SENTENCE_END.split(masked(english, values)):
        for fragment in [sentence, *sentence.split(MASK)]:
            fragment = " ".join(fragment.split()).strip(" ,")
            if len(_WORD.findall(fragment)) >= 4:
                found.add(fragment)
    return found


def leftover_english(english: str, translated: str, values: set[str]) -> set[str]:
    flat = " ".join(masked(translated, values).split())
    return {fragment for fragment in english_fragments(english, values) if fragment in flat}


def test_the_comparison_finds_a_leftover_sentence() -> None:
    english = "Dear Nordlys AS,\nYour application A-2026-000042-7 is withdrawn by you. We stop."
    partly = "Til Nordlys AS,\nSøknaden A-2026-000042-7 is withdrawn by you. We stop."
    assert leftover_english(english, partly, {"Nordlys AS"}) == {"is withdrawn by you."}
    assert not leftover_english(english, "Til Nordlys AS,\nSøknaden er trukket.", set())
    # Names, numbers and addresses alone are not sentences.
    assert not leftover_english("Nordlys Tobakk AS 2026 https://x.example/a b", "", set())


# --- e-mails ---------------------------------------------------------------------------------


def email_context(party: Any, kind: str) -> dict[str, Any]:
    """Every variable an e-mail template uses (test_translations.EMAIL_CONTEXT), with the
    numbers and names of real records; officer text as an officer writes it."""
    licence = LicenceFactory(holder=party)
    application = ApplicationFactory(party=party)
    transferee = PartyFactory(legal_name="Duna Dohány Kft.")
    successor = LicenceFactory(holder=transferee)
    shared = {
        k: v
        for k, v in EMAIL_CONTEXT.items()
        if k not in ("authority", "portal_url", "party_name")  # queue_notification's own
    }
    return shared | {
        "reference": application.reference,
        "licence": licence.number,
        "successor": successor.number,
        "transferee": str(transferee),
        "holder": str(party),
        "kind": kind,
        "valid_from": licence.valid_from.isoformat(),
        "expires_on": licence.expires_on.isoformat(),
        # Officer text is printed as written.
        "reason": "Stock records were missing at the inspection on site.",
        "question": "Please send the lease contract for the warehouse.",
    }


def email_variants(name: str) -> list[str]:
    """The approval e-mail words each application kind differently."""
    if "kind" in template_variables(name):
        return list(ApplicationKind.values)
    return [ApplicationKind.NEW.value]


def render_for(party: Any, name: str, context: dict[str, Any], key: str) -> tuple[str, str]:
    notification = queue_notification(key=key, template=name, party=party, context=context)
    assert notification.language == party.preferred_language
    return render_notification(notification)


def test_every_email_template_is_found() -> None:
    assert {"application_submitted", "licence_suspended", "verify_email"} <= set(EMAIL_TEMPLATES)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("name", EMAIL_TEMPLATES)
def test_an_email_is_in_the_partys_language(compiled_messages: None, name: str, lang: str) -> None:
    english_party = PartyFactory(legal_name="Nordlys Tobakk AS", preferred_language="en")
    party = PartyFactory(legal_name="Nordlys Tobakk AS", preferred_language=lang)
    for kind in email_variants(name):
        context = email_context(party, kind)
        missing = template_variables(name) - {*context, "authority", "portal_url", "party_name"}
        assert not missing, f"add {sorted(missing)} to email_context in this test"
        values = {str(context[key]) for key in context if key not in ("kind", "hours")}
        values.add(str(party))
        en_subject, en_body = render_for(english_party, name, context, f"{name}:{kind}:en")
        subject, body = render_for(party, name, context, f"{name}:{kind}:{lang}")
        label = f"{name} [{lang}, {kind}]"

        # (a) The language's own words: the closing, the salutation the English one has.
        assert CLOSING["en"] in en_body
        assert CLOSING[lang] in body, label
        if any(en_body.startswith(word) for word in SALUTATION["en"]):
            assert body.startswith(SALUTATION[lang]), f"{label}: {body.splitlines()[0]!r}"
        assert subject != en_subject and body != en_body, label

        # (b) No English sentence left, in the subject or the body.
        leftover = leftover_english(en_subject + "\n" + en_body, subject + "\n" + body, values)
        assert not leftover, f"{label}: untranslated {leftover}"

        # The signature names the authority in the party's language.
        with translation.override(lang):
            authority = gettext(DEFAULT_AUTHORITY_NAME)
        assert authority != DEFAULT_AUTHORITY_NAME
        assert DEFAULT_AUTHORITY_NAME not in subject + body, f"{label}: English authority name"
        assert f"{CLOSING[lang]}\n{authority}\n" in body, label


def test_the_english_email_is_signed_with_the_english_name() -> None:
    party = PartyFactory(preferred_language="en")
    _subject, body = render_for(party, "licence_reinstated", email_context(party, "new"), "k")
    assert f"{CLOSING['en']}\n{DEFAULT_AUTHORITY_NAME}\n" in body


def test_a_configured_authority_name_is_printed_as_configured(
    compiled_messages: None, settings: Any
) -> None:
    settings.AUTHORITY_NAME = "Helsedirektoratet"
    party = PartyFactory(preferred_language="nb")
    _subject, body = render_for(party, "licence_reinstated", email_context(party, "new"), "k")
    assert f"{CLOSING['nb']}\nHelsedirektoratet\n" in body


# --- issued documents ------------------------------------------------------------------------


def document_text(pdf: bytes) -> str:
    # Without -layout: a sentence broken over lines reads on, not in columns.
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return re.sub(r"-\n(?=[a-zæøåáéíóöőúüű])", "", text)


def assert_in_language(english: str, translated: str, lang: str, values: set[str]) -> None:
    assert translated != english
    assert any(term in translated.lower() for term in TERMS[lang]), translated[:400]
    leftover = leftover_english(english, translated, values)
    assert not leftover, f"[{lang}]: untranslated {leftover}"


def in_each_language(party: Any, render: Any) -> dict[str, str]:
    """The same record printed for the party in each language."""
    texts = {}
    for lang in LANGUAGES:
        party.preferred_language = lang
        party.save(update_fields=["preferred_language"])
        texts[lang] = document_text(render())
    return texts


def record_values(party: Any, *more: str) -> set[str]:
    lines = (party.address + "\n" + party.headquarters_address).splitlines()
    return {str(party), party.legal_name, party.trade_name, *lines, *more} - {""}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_licence_is_in_the_holders_language(compiled_messages: None, lang: str) -> None:
    licence = LicenceFactory(holder=PartyFactory(legal_name="Nordlys Tobakk AS", approved=True))
    texts = in_each_language(licence.holder, lambda: licence_pdf(licence_id=licence.pk))
    values = record_values(licence.holder, licence.number, DEFAULT_AUTHORITY_NAME)
    assert_in_language(texts["en"], texts[lang], lang, values)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("name", DECISIONS)
def test_a_decision_letter_is_in_the_addressees_language(
    request: Any,
    compiled_messages: None,
    django_capture_on_commit_callbacks: Any,
    name: str,
    lang: str,
) -> None:
    party = PartyFactory(legal_name="Nordlys Tobakk AS", preferred_language="en")
    reason = "Stock records were missing at the inspection on site."
    subject = decide(request, name, party, django_capture_on_commit_callbacks, reason)
    letter = IssuedDocument.objects.get()
    assert letter.kind == DECISIONS[name][3]
    event = decision_event(subject, DECISIONS[name][2])
    texts = in_each_language(party, lambda: letter_pdf(event_id=event.pk))
    officer = request.getfixturevalue(DECISIONS[name][1])
    values = record_values(
        party,
        reason,
        getattr(subject, "reference", None) or subject.number,
        officer.get_full_name(),
        officer.get_username(),
        DEFAULT_AUTHORITY_NAME,
    )
    assert_in_language(texts["en"], texts[lang], lang, values)
    # The letter the decision printed is the party's (then English) one.
    assert reason in " ".join(document_text(stored_bytes(letter)).split())


def test_the_destruction_certificate_is_in_the_holders_language(
    compiled_messages: None, applicant_for: Any, inspector: Any, senior: Any
) -> None:
    machine = MachineFactory(serial_number="PM8-77777")
    order = witness(scheduled(applicant_for, inspector, machine), inspector, ["PM8-77777"])
    order = destruction.countersign_destruction(order_id=order.pk, by=senior)
    holder = order.licence.holder
    code = order.certificate.code
    texts = in_each_language(
        holder,
        lambda: certificate_pdf(order=order, code=code, version=1, language=party_language(holder)),
    )
    values = record_values(
        holder,
        order.licence.number,
        machine.identifier,
        "PM8-77777",
        order.witnesses,
        code,
        inspector.get_full_name(),
        senior.get_full_name(),
        DEFAULT_AUTHORITY_NAME,
    )
    for lang in TRANSLATED:
        assert_in_language(texts["en"], texts[lang], lang, values)


def test_the_inspection_report_is_in_the_holders_language(
    compiled_messages: None, inspector: Any, officer: Any
) -> None:
    started = inspections.start_inspection(
        inspection_id=InspectionFactory(inspector=inspector).pk, by=inspector
    )
    answer_all(started, inspector, serials_seen=["XX-999-NEW"], persons_present="Ingrid Haugen")
    inspections.submit_inspection(inspection_id=started.pk, by=inspector)
    reviewed = inspections.review_inspection(inspection_id=started.pk, by=officer)
    holder = reviewed.licence.holder
    code = reviewed.report.code
    texts = in_each_language(
        holder,
        lambda: report_pdf(
            inspection=reviewed, code=code, version=1, language=party_language(holder)
        ),
    )
    values = record_values(
        holder,
        reviewed.licence.number,
        "XX-999-NEW",
        "Ingrid Haugen",
        "In order.",
        inspector.get_full_name(),
        officer.get_full_name(),
        code,
        DEFAULT_AUTHORITY_NAME,
        # The findings' values (serial numbers), not their words.
        *(finding.serial for finding in reviewed.findings.all()),
    )
    for lang in TRANSLATED:
        assert_in_language(texts["en"], texts[lang], lang, values)


def test_a_finding_of_the_report_is_in_the_holders_language(
    compiled_messages: None, inspector: Any, officer: Any
) -> None:
    inspection = InspectionFactory(inspector=inspector, licence__holder__preferred_language="nb")
    started = inspections.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(started, inspector, serials_seen=["XX-999-NEW"], persons_present="Ingrid Haugen")
    inspections.submit_inspection(inspection_id=started.pk, by=inspector)
    reviewed = inspections.review_inspection(inspection_id=started.pk, by=officer)
    text = " ".join(document_text(stored_bytes(reviewed.report)).split())
    assert "is not in the register" not in text


def test_a_letter_names_the_authority_in_the_addressees_language(
    request: Any, compiled_messages: None, django_capture_on_commit_callbacks: Any
) -> None:
    party = PartyFactory(preferred_language="nb")
    decide(request, "suspension", party, django_capture_on_commit_callbacks)
    text = document_text(stored_bytes(IssuedDocument.objects.get()))
    assert DEFAULT_AUTHORITY_NAME not in text
