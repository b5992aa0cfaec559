"""Documents the authority issues (Art. 6): each printed licence, and each letter that tells a
party of an adverse decision (refusal, suspension, revocation), is stored as it was printed,
with its SHA-256 and a version, so that a printed copy can be checked later by its code."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits


def new_document_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised_code(text: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes, and the letters that
    Crockford's base32 reads as digits (O as 0, I and L as 1)."""
    code = "".join(text.split()).replace("-", "").upper()
    return code.translate(str.maketrans("OIL", "011"))


def random_issued_path(instance: IssuedDocument, filename: str) -> str:
    return f"issued/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class IssuedDocumentKind(models.TextChoices):
    LICENCE = "licence", _("licence")
    REFUSAL_LETTER = "refusal_letter", _("refusal letter")
    SUSPENSION_LETTER = "suspension_letter", _("suspension letter")
    REVOCATION_LETTER = "revocation_letter", _("revocation letter")
    # Art. 6.3(i): issued to the holder once a senior officer countersigned the inspector's
    # record; like a letter it belongs to one decision (the countersignature's audit event).
    DESTRUCTION_CERTIFICATE = "destruction_certificate", _("destruction certificate")
    # Art. 6.3(e): the report of a reviewed inspection, sent to the holder; it belongs to the
    # review's audit event.
    INSPECTION_REPORT = "inspection_report", _("inspection report")
    # Art. 21, 28: the answer to another Party's authority, assembled from the register; it
    # belongs to the answer's audit event and to no licence (cooperation.services.answers).
    ASSISTANCE_ANSWER = "assistance_answer", _("answer to another Party's authority")


# The subject of each kind: a refusal concerns an application (a new one has no licence yet);
# the licence and the letters about a licence's suspension or revocation concern the licence.
LICENCE_KINDS = (
    IssuedDocumentKind.LICENCE,
    IssuedDocumentKind.SUSPENSION_LETTER,
    IssuedDocumentKind.REVOCATION_LETTER,
    IssuedDocumentKind.DESTRUCTION_CERTIFICATE,
    IssuedDocumentKind.INSPECTION_REPORT,
)
APPLICATION_KINDS = (IssuedDocumentKind.REFUSAL_LETTER,)
LETTER_KINDS = (
    IssuedDocumentKind.REFUSAL_LETTER,
    IssuedDocumentKind.SUSPENSION_LETTER,
    IssuedDocumentKind.REVOCATION_LETTER,
    IssuedDocumentKind.DESTRUCTION_CERTIFICATE,
    IssuedDocumentKind.INSPECTION_REPORT,
    IssuedDocumentKind.ASSISTANCE_ANSWER,
)


class SignatureLevel(models.TextChoices):
    """PAdES baseline levels (ETSI EN 319 142-1): B-B, the signature alone; B-T, with an
    RFC 3161 timestamp (licensing/signing/signer.py)."""

    B_B = "B-B", _("PAdES B-B (signature)")
    B_T = "B-T", _("PAdES B-T (signature and timestamp)")


class IssuedDocument(Record):
    """One printed version of a document. Written only by ``services.issuing``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=IssuedDocumentKind.choices)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("licence"),
    )
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("application"),
    )
    # A letter's decision: the audit event of the refusal, suspension or revocation. Each
    # decision has its own letter, versioned on its own (a licence suspended twice gets two
    # letters, each version 1), and the first version of it exists once.
    event = models.ForeignKey(
        "licensing.AuditEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision"),
    )
    version = models.PositiveIntegerField(_("version"))
    # Printed on the document; whoever holds the paper can check it at /verify/document/<code>/.
    code = models.CharField(_("document code"), max_length=16, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    file = models.FileField(_("file"), upload_to=random_issued_path, max_length=200)
    language = models.CharField(_("language"), max_length=8)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    is_reprint = models.BooleanField(_("reprint"), default=False)
    reprint_reason = models.TextField(_("reason for the reprint"), blank=True)
    # The authority's electronic signature (PAdES, docs/signing.md), taken before the SHA-256:
    # the stored file is the signed one. Blank on a document issued before documents were
    # signed.
    signature_level = models.CharField(
        _("signature"), max_length=8, choices=SignatureLevel.choices, blank=True
    )
    signed_by = models.CharField(_("signed by"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signer_certificate_sha256 = models.CharField(
        _("signing certificate (SHA-256)"), max_length=64, blank=True
    )
    # Set by the printing task: a second delivery of the same message finds its document here.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ("licence", "application", "kind", "-version")
        permissions = [("print_document", _("Can print and reprint documents"))]
        constraints = [
            # Exactly the right subject: the licence kinds name a licence and no application,
            # the refusal letter an application and no licence; a letter names its decision.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=LICENCE_KINDS, licence__isnull=False, application__isnull=True
                    )
                    | models.Q(
                        kind__in=APPLICATION_KINDS, application__isnull=False, licence__isnull=True
                    )
                    # Art. 18: the certificate of destroyed seized stock, which may belong to no
                    # licence (an unlicensed or unknown party).
                    | models.Q(
                        kind=IssuedDocumentKind.DESTRUCTION_CERTIFICATE,
                        licence__isnull=True,
                        application__isnull=True,
                    )
                    | models.Q(
                        kind=IssuedDocumentKind.ASSISTANCE_ANSWER,
                        licence__isnull=True,
                        application__isnull=True,
                    )
                ),
                name="issued_document_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=IssuedDocumentKind.LICENCE) | models.Q(event__isnull=False),
                name="issued_letter_decision",
            ),
            models.UniqueConstraint(
                fields=["licence", "kind", "version"],
                condition=models.Q(kind=IssuedDocumentKind.LICENCE),
                name="issued_document_version",
            ),
            models.UniqueConstraint(
                fields=["licence", "kind", "event", "version"],
                condition=models.Q(
                    kind__in=(
                        IssuedDocumentKind.SUSPENSION_LETTER,
                        IssuedDocumentKind.REVOCATION_LETTER,
                        IssuedDocumentKind.DESTRUCTION_CERTIFICATE,
                        IssuedDocumentKind.INSPECTION_REPORT,
                    )
                ),
                name="issued_licence_letter_version",
            ),
            models.UniqueConstraint(
                fields=["kind", "event", "version"],
                condition=models.Q(kind=IssuedDocumentKind.ASSISTANCE_ANSWER),
                name="issued_answer_version",
            ),
            models.UniqueConstraint(
                fields=["application", "kind", "event", "version"],
                condition=models.Q(kind__in=APPLICATION_KINDS),
                name="issued_application_letter_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} v{self.version} ({self.code})"

    @property
    def is_letter(self) -> bool:
        return self.kind in LETTER_KINDS

    @property
    def reference(self) -> str:
        """The number the document is about: the licence number, or the application's
        reference for a refusal."""
        if self.application_id is not None:
            return self.application.reference if self.application else ""
        return self.licence.number if self.licence else ""

    def series(self) -> models.QuerySet[IssuedDocument]:
        """Every version of this document: the licence's printed versions, or the versions of
        one decision's letter."""
        versions = IssuedDocument.objects.filter(kind=self.kind)
        if self.is_letter:
            return versions.filter(event_id=self.event_id)
        return versions.filter(licence_id=self.licence_id)

    def download_name(self) -> str:
        if self.is_letter:
            return f"{self.kind}-{self.reference}-{self.issued_at:%Y%m%d}-v{self.version}.pdf"
        return f"{self.kind}-{self.reference}-v{self.version}.pdf"
