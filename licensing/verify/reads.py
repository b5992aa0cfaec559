"""The public reads of the verification pages (``licensing/verify/views.py``): a licence's
status by its number (Art. 6, the QR code on a printed licence), the public register of active
licences, and a printed document by its code or SHA-256. Nothing here returns personal data:
the holder's public names and kind only. Split from ``licensing/selectors.py``, which keeps
the officers', the portal's and the jobs' reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import (
    FacilityCode,
    IssuedDocument,
    Licence,
    LicenceState,
    OperatorCode,
    Party,
    PartyKind,
    Site,
)
from licensing.models.activities import with_any_activity
from licensing.models.issued import LETTER_KINDS, IssuedDocumentKind, normalised_code
from licensing.services.numbers import LEGACY_NUMBER_FORMAT, NUMBER_FORMAT, is_valid_number


class VerificationStatus(TextChoices):
    VALID = "valid", _("valid")
    NOT_YET_VALID = "not_yet_valid", _("not yet valid")
    SUSPENDED = "suspended", _("suspended")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")
    TRANSFERRED = "transferred", _("transferred")
    SURRENDERED = "surrendered", _("surrendered")
    UNKNOWN = "unknown", _("unknown number")
    MISTYPED = "mistyped", _("mistyped number")
    MALFORMED = "malformed", _("not a licence number")


@dataclass(frozen=True)
class PublicLicence:
    number: str
    trade_name: str
    activities: list[str]
    municipalities: list[str] = field(default_factory=list)
    valid_from: dt.date | None = None
    expires_on: dt.date | None = None
    # Reg. (EU) 2018/574 Art. 15, 17: the holder's economic operator code and its sites'
    # facility codes, active ones only, for a legal person only (a natural person's are
    # personal data, Art. 5).
    operator_code: str = ""
    facility_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    number: str
    status: VerificationStatus
    licence: PublicLicence | None = None
    successor_number: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == VerificationStatus.VALID


def public_trade_name(party: Party) -> str:
    """The name the public sees: the trade name, or a company's legal name. A natural person's
    legal name is personal data (Art. 5) and is never shown."""
    if party.trade_name:
        return party.trade_name
    return party.legal_name if party.kind == PartyKind.LEGAL else ""


# The only columns of a holder that the public pages load.
_PUBLIC_HOLDER_FIELDS = ("holder__trade_name", "holder__legal_name", "holder__kind")


def _public_licence(licence: Licence, *, municipalities: list[str] | None = None) -> PublicLicence:
    legal = licence.holder.kind == PartyKind.LEGAL
    facility_codes = getattr(licence, "holder_facility_codes", None) or ""
    return PublicLicence(
        number=licence.number,
        trade_name=public_trade_name(licence.holder),
        activities=list(licence.activities or []),
        municipalities=municipalities or [],
        valid_from=licence.valid_from,
        expires_on=licence.expires_on,
        operator_code=(getattr(licence, "holder_operator_code", None) or "") if legal else "",
        facility_codes=sorted(facility_codes.split()) if legal else [],
    )


def normalised_number(text: str) -> str:
    """What a person typed or a QR code carried, in the printed form: upper case, no spaces."""
    return "".join(text.split()).upper()


_STATE_STATUS = {
    LicenceState.SUSPENDED: VerificationStatus.SUSPENDED,
    LicenceState.REVOKED: VerificationStatus.REVOKED,
    LicenceState.EXPIRED: VerificationStatus.EXPIRED,
    LicenceState.TRANSFERRED: VerificationStatus.TRANSFERRED,
    LicenceState.SURRENDERED: VerificationStatus.SURRENDERED,
}


# The public site's most frequent request looks up one licence by its unique number: the
# statement is written out, as the ORM took 1.0 ms a lookup to build and read the same query,
# against 0.4 ms (at 1M licences under load, benchmarks/load.py).
_VERIFICATION_SQL = (
    "SELECT l.id, l.number, l.activities, l.valid_from, l.expires_on, l.state, l.holder_id, "
    "p.trade_name AS holder_trade_name, p.legal_name AS holder_legal_name, "
    "p.kind AS holder_kind, {codes} FROM {licence} l INNER JOIN {party} p ON p.id = l.holder_id "
    "WHERE l.number = %s{legacy}"
)
# Reg. (EU) 2018/574 Art. 15, 17: the identifier codes in the same query, for a legal person
# only (Art. 5): the holder's active operator code, and the active facility codes of the
# licence's sites as one space-separated text.
_CODES_SQL = (
    "CASE WHEN p.kind = '{legal}' THEN (SELECT c.code FROM {operator} c "
    "WHERE c.party_id = p.id AND c.active LIMIT 1) END AS holder_operator_code, "
    "CASE WHEN p.kind = '{legal}' THEN (SELECT {aggregate} FROM {facility} f "
    "INNER JOIN {sites} ls ON ls.site_id = f.site_id WHERE ls.licence_id = l.id AND f.active) "
    "END AS holder_facility_codes"
)


def _codes_sql() -> str:
    aggregate = (
        "string_agg(f.code, ' ')"
        if connection.vendor == "postgresql"
        else "group_concat(f.code, ' ')"
    )
    return _CODES_SQL.format(
        legal=PartyKind.LEGAL.value,
        operator=OperatorCode._meta.db_table,
        facility=FacilityCode._meta.db_table,
        sites=Licence.sites.through._meta.db_table,
        aggregate=aggregate,
    )


_PUBLIC_HOLDER_COLUMNS = ("trade_name", "legal_name", "kind")


def _licence_to_verify(number: str, *, legacy: bool) -> Licence | None:
    """The licence numbered ``number`` (among the imported ones if ``legacy``) with the public
    columns of its holder, in one query; None if there is none."""
    sql = _VERIFICATION_SQL.format(
        codes=_codes_sql(),
        licence=Licence._meta.db_table,
        party=Party._meta.db_table,
        legacy=" AND l.legacy_import_id IS NOT NULL" if legacy else "",
    )
    licence = next(iter(Licence.objects.raw(sql, [number])), None)
    if licence is not None:
        columns = {name: getattr(licence, f"holder_{name}") for name in _PUBLIC_HOLDER_COLUMNS}
        Licence.holder.field.set_cached_value(licence, Party(pk=licence.holder_id, **columns))
    return licence


def licence_for_verification(number: str, today: dt.date | None = None) -> Verification:
    """Whether ``number`` is a licence valid today, and if not why; one query by the unique
    index on the number (two for a transferred licence, to name its successor). A number of
    the native form is checked by its check character first; any other is looked up among the
    imported legacy licences."""
    number = normalised_number(number)
    if NUMBER_FORMAT.match(number):
        if not is_valid_number(number):
            # ISO 7064: the check character catches a mistyped number before any look-up.
            return Verification(number=number, status=VerificationStatus.MISTYPED)
        licence = _licence_to_verify(number, legacy=False)
        if licence is None:
            return Verification(number=number, status=VerificationStatus.UNKNOWN)
    else:
        # Art. 9.2: a licence imported from a legacy register keeps its printed number, which
        # has no check character. Anything else, or no such imported licence: not a number.
        licence = None
        if LEGACY_NUMBER_FORMAT.match(number):
            licence = _licence_to_verify(number, legacy=True)
        if licence is None:
            return Verification(number=number, status=VerificationStatus.MALFORMED)
    today = today or timezone.localdate()
    successor = ""
    if licence.state == LicenceState.ACTIVE:
        # Art. 6.3(f): valid only within its term, even before the nightly job marks it expired.
        if today > licence.expires_on:
            status = VerificationStatus.EXPIRED
        elif today < licence.valid_from:
            status = VerificationStatus.NOT_YET_VALID
        else:
            status = VerificationStatus.VALID
    else:
        status = _STATE_STATUS[LicenceState(licence.state)]
    if licence.state == LicenceState.TRANSFERRED:
        # Art. 6.4: a transfer issues a new licence to the new holder, which succeeds this one.
        successor = (
            Licence.objects.filter(predecessor=licence)
            .order_by("-issued_at", "-pk")
            .values_list("number", flat=True)
            .first()
        ) or ""
    return Verification(
        number=number,
        status=status,
        licence=_public_licence(licence),
        successor_number=successor,
    )


@dataclass(frozen=True)
class RegisterPage:
    rows: list[PublicLicence]
    next_after: str = ""
    previous_before: str = ""


def _ids_first(rows: QuerySet[Any], limit: int = 1000) -> list[int] | QuerySet[Any]:
    """The ids of ``rows`` as a list when there are few (none ends the search at once), else as
    a subquery: the planner cannot estimate a name pattern (see ``matching_party_ids``)."""
    ids = list(rows.order_by().values_list("pk", flat=True)[: limit + 1])
    return ids if len(ids) <= limit else rows.order_by().values("pk")


def _register_filter(*, name: str, municipality: str, activity: str) -> QuerySet[Licence]:
    licences = Licence.objects.filter(state=LicenceState.ACTIVE)
    if name := name.strip():
        # A natural person's legal name is not searchable: a hit would disclose it (Art. 5).
        holders = _ids_first(
            Party.objects.filter(
                Q(trade_name__icontains=name)
                | Q(kind=PartyKind.LEGAL, trade_name="", legal_name__icontains=name)
            )
        )
        if not holders:
            return Licence.objects.none()
        licences = licences.filter(holder__in=holders)
    if municipality := municipality.strip():
        sites = _ids_first(Site.objects.filter(municipality__icontains=municipality))
        if not sites:
            return Licence.objects.none()
        licences = licences.filter(
            Exists(
                Licence.sites.through.objects.filter(licence_id=OuterRef("pk"), site_id__in=sites)
            )
        )
    if activity:
        licences = licences.filter(with_any_activity([activity]))
    return licences


def public_register(
    *,
    name: str = "",
    municipality: str = "",
    activity: str = "",
    after: str = "",
    before: str = "",
    per_page: int = 50,
) -> RegisterPage:
    """Active licences in number order, a page at a time by keyset (``after`` or ``before`` a
    licence number): each page reads ``per_page + 1`` entries of the unique index on the number,
    without a count, so the last page costs what the first does at a million licences. Two
    queries whatever the page size: the licences with their holders, and their sites."""
    licences = _register_filter(name=name, municipality=municipality, activity=activity)
    backwards = bool(before) and not after
    if after:
        licences = licences.filter(number__gt=after).order_by("number")
    elif backwards:
        licences = licences.filter(number__lt=before).order_by("-number")
    else:
        licences = licences.order_by("number")
    page = list(
        licences.select_related("holder")
        .only("number", "activities", "valid_from", "expires_on", *_PUBLIC_HOLDER_FIELDS)
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.only("pk", "municipality").order_by())
        )[: per_page + 1]
    )
    more = len(page) > per_page
    page = page[:per_page]
    if backwards:
        page.reverse()
    rows = [
        _public_licence(
            licence,
            municipalities=sorted({site.municipality for site in licence.sites.all()}),
        )
        for licence in page
    ]
    if not rows:
        return RegisterPage(rows=[])
    has_next = more if not backwards else True
    has_previous = bool(after) or (backwards and more)
    return RegisterPage(
        rows=rows,
        next_after=rows[-1].number if has_next else "",
        previous_before=rows[0].number if has_previous else "",
    )


@dataclass(frozen=True)
class DocumentVerification:
    """What the public may learn from a printed document's code or SHA-256: whether the
    authority issued it, which kind and version, whether a later version replaced it, and for
    a licence, the licence's validity today. For a decision letter, nothing about the
    addressee, the case or the reasons (Art. 5): only its kind, version and date."""

    found: bool
    code: str = ""
    version: int = 0
    latest_version: int = 0
    issued_on: dt.date | None = None
    is_reprint: bool = False
    kind: str = ""
    licence: Verification | None = None
    # The authority's electronic signature on the stored file (blank: issued before signing).
    signature_level: str = ""
    signed_at: dt.datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.found and self.version == self.latest_version

    @property
    def is_letter(self) -> bool:
        return self.kind in LETTER_KINDS

    @property
    def kind_label(self) -> str:
        return str(IssuedDocumentKind(self.kind).label) if self.kind else ""


def document_for_verification(*, code: str = "", sha256: str = "") -> DocumentVerification:
    """Look a printed document up by its code, or by the SHA-256 of its file."""
    documents = IssuedDocument.objects.select_related("licence").only(
        "code",
        "version",
        "issued_at",
        "is_reprint",
        "kind",
        "signature_level",
        "signed_at",
        "event_id",
        "application_id",
        "licence_id",
        "licence__number",
    )
    if code:
        document = documents.filter(code=normalised_code(code)).first()
    elif sha256:
        document = documents.filter(sha256=sha256.strip().lower()).first()
    else:
        document = None
    if document is None:
        return DocumentVerification(found=False)
    latest = document.series().order_by("-version").values_list("version", flat=True).first()
    licence = None
    if not document.is_letter and document.licence is not None:
        licence = licence_for_verification(document.licence.number)
    return DocumentVerification(
        found=True,
        code=document.code,
        version=document.version,
        latest_version=latest or document.version,
        issued_on=timezone.localdate(document.issued_at),
        is_reprint=document.is_reprint,
        kind=document.kind,
        licence=licence,
        signature_level=document.signature_level,
        signed_at=document.signed_at,
    )
