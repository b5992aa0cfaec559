"""Uploaded documents: articles of incorporation, declarations, evidence.

Files are stored under random names outside the static root and served only through views
that check permission; the SHA-256 proves later that a file is the one that was submitted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record


def random_document_path(instance: Document, filename: str) -> str:
    # The client's file name is kept in ``original_name`` only; it never reaches the disk.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class DocumentKind(models.TextChoices):
    ARTICLES_OF_INCORPORATION = "articles", _("articles of incorporation or equivalent")
    CRIMINAL_RECORD = "criminal_record", _("criminal-record documentation")
    IDENTITY = "identity", _("identity document")
    BANK = "bank", _("bank account evidence")
    INFORMATION_REPLY = "information_reply", _("reply to an information request")
    OTHER = "other", _("other")


class Document(Record):
    # Non-guessable identifier for portal URLs (never the sequential primary key).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("party"),
    )
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("application"),
    )
    # The officer's request that this upload answers, when it came with the applicant's reply.
    information_request = models.ForeignKey(
        "licensing.InformationRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("information request"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=random_document_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
