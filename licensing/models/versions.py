"""Regulated records as the authority decided them (Art. 6.3(g), 9): what an applicant enters is
a proposal until an officer approves it, and every approved state is kept as a version.

How (docs/record-versions.md says why):

- The live row of a regulated record (a tax registration, a director, a site ...) always holds
  the **approved, current** values. Every reader (registers, exports, printing, screening,
  equipment, inspections) reads it through the default manager, which never returns proposals.
- A draft of a party that the authority has approved never writes that row. It writes a
  **proposal row** in the same table (``proposed_in`` = the application, ``replaces`` = the
  approved row, ``base_version`` = that row's version then), or a new row proposed by the
  application; a removal is a proposal row that is ended. The party's own fields are proposed in
  ``Application.party_changes``. ``Model.with_proposals`` reads both kinds.
- Approval applies the proposal inside its transaction: each approved row is locked, its version
  compared with the proposal's base (a stale base is refused: the officer reviews again), the
  proposed values copied onto it and ``version`` raised by one. Each approved state is written as
  a ``RecordVersion`` with ``valid_from``, ``valid_to`` and the application that brought it; the
  as-of selector (``licensing.selectors_versions``) reads those.
- A party first filed through the portal is itself "proposed" (``Party.approved_at`` is empty)
  until its first approval: its rows are written directly and approved with it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import AuditTrailIsAppendOnly, RecordsAreKept
from licensing.models.base import EndableManager, KeptQuerySet, choices_check, ordered_check

KeptManager = models.Manager.from_queryset(KeptQuerySet)


class ApprovedKeptManager(KeptManager):
    """The default manager of a regulated record: approved rows only, never a proposal."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(proposed_in__isnull=True)


class ApprovedEndableManager(EndableManager):
    """The same, for records that can be ended."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(proposed_in__isnull=True)


class Regulated(models.Model):
    """A record that changes only by the authority's decision. ``objects`` returns approved rows;
    ``with_proposals`` returns proposal rows too (the filing pages and the approval read it)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    proposed_in = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("proposed in"),
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("proposed change of"),
    )
    base_version = models.PositiveIntegerField(
        _("version the proposal was made against"), null=True, blank=True, editable=False
    )

    # Each concrete record sets both: ``objects`` (approved rows) and ``with_proposals``.
    objects: ClassVar[Any]
    with_proposals: ClassVar[Any]

    # Fields that are bookkeeping, not the record's content: never compared, copied or versioned.
    bookkeeping: ClassVar[tuple[str, ...]] = (
        "id",
        "created_at",
        "updated_at",
        "version",
        "proposed_in",
        "replaces",
        "base_version",
    )

    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Any = None) -> None:
        # ``proposed_in`` is never on a form, but the unique constraints hold only among
        # approved rows: Django would skip a constraint whose condition names an excluded field.
        super().validate_constraints(exclude=set(exclude or ()) - {"proposed_in"})

    @property
    def is_proposal(self) -> bool:
        return self.proposed_in_id is not None


class RecordSource(models.TextChoices):
    MIGRATION = "migration", _("records kept before versions")
    APPLICATION = "application", _("approved application")
    OFFICER = "officer", _("officer's correction")
    IMPORT = "import", _("register import")


class RecordVersion(models.Model):
    """One approved state of one regulated record, valid from ``valid_from`` until
    ``valid_to`` (open while current). Written by services only; a version is never changed
    except to close it when the next one is approved (Art. 9.5(a): kept)."""

    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.BigIntegerField(_("record"))
    # The party the record belongs to: "this party as the authority knew it on date D" is one
    # index range scan.
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="record_versions",
        verbose_name=_("party"),
        db_index=False,  # ``version_party_from`` starts with it: a second index would only cost
    )
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid until"), null=True, blank=True)
    data = models.JSONField(_("values"), encoder=DjangoJSONEncoder)
    # True when this version ends the record (a removed bank account, a director's role ended).
    ended = models.BooleanField(_("ended"), default=False)
    source = models.CharField(_("source"), max_length=12, choices=RecordSource.choices)
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="record_versions",
        verbose_name=_("brought by application"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ("record_type", "record_id", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id", "version"], name="one_row_per_version"
            ),
            # docs/record-versions.md: a record has one current version at a time; the next
            # one opens only after services/versions.py: write_version closed it.
            models.UniqueConstraint(
                fields=["record_type", "record_id"],
                condition=models.Q(valid_to__isnull=True),
                name="one_current_version",
            ),
            ordered_check("valid_from", "valid_to", "version_dates_in_order", open_end=True),
            choices_check("source", RecordSource, "version_source_valid"),
        ]
        indexes = [
            models.Index(fields=["party", "valid_from"], name="version_party_from"),
            models.Index(fields=["record_type", "record_id", "valid_from"], name="version_from"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and kwargs.get("update_fields") != ["valid_to"]:
            raise AuditTrailIsAppendOnly(_("A record version cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordsAreKept()
