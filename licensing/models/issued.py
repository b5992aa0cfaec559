"""Documents the authority issues (Art. 6): each printed licence is stored as it was printed,
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


class IssuedDocument(Record):
    """One printed version of a document. Written only by ``services.issuing``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=IssuedDocumentKind.choices)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name=_("licence"),
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
    # Set by the printing task: a second delivery of the same message finds its document here.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ("licence", "kind", "-version")
        permissions = [("print_document", _("Can print and reprint documents"))]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "kind", "version"], name="issued_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.licence} v{self.version} ({self.code})"

    def download_name(self) -> str:
        return f"{self.kind}-{self.licence.number}-v{self.version}.pdf"
