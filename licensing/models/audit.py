"""The append-only audit trail: who did what to which record, when, from where and why."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.audit_hashing import event_digest, json_safe
from licensing.exceptions import AuditTrailIsAppendOnly

# Tables that are only ever inserted into: the ORM refuses updates and deletes, a PostgreSQL
# trigger refuses them (migrations 0002, 0027), and the runtime database role is granted only
# SELECT and INSERT on them (docs/security.md).
APPEND_ONLY_TABLES = (
    "licensing_auditevent",
    "licensing_auditchainlink",
    "licensing_auditcheckpoint",
    # The API's record of what was disclosed to which partner (api 0005); a name only: the
    # core imports nothing of the apps above it.
    "api_apicall",
    # The register of disclosures (cooperation 0004).
    "cooperation_disclosure",
)


class Verb(models.TextChoices):
    CREATED = "created", _("created")
    EDITED = "edited", _("edited")
    SUBMITTED = "submitted", _("submitted")
    ASSIGNED = "assigned", _("assigned")
    REVIEW_STARTED = "review_started", _("review started")
    INFORMATION_REQUESTED = "information_requested", _("information requested")
    INFORMATION_PROVIDED = "information_provided", _("information provided")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DECISION_PROPOSED = "decision_proposed", _("decision proposed")
    PROPOSAL_REJECTED = "proposal_rejected", _("proposal rejected")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    ISSUED = "issued", _("issued")
    RENEWED = "renewed", _("renewed")
    TRANSFERRED = "transferred", _("transferred")
    CHANGE_APPLIED = "change_applied", _("change applied")
    # Proposed records (licensing.models.versions): made current, or reviewed again when stale.
    RECORDS_APPROVED = "records_approved", _("proposed records made current")
    PROPOSAL_REVIEWED = "proposal_reviewed", _("proposed changes reviewed again")
    SUSPENDED = "suspended", _("suspended")
    REINSTATED = "reinstated", _("reinstated")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")
    SURRENDERED = "surrendered", _("surrendered")
    INVOICE_ISSUED = "invoice_issued", _("invoice issued")
    PAYMENT_RECORDED = "payment_recorded", _("payment recorded")
    CONDITION_MET = "condition_met", _("condition met")
    ACCESS_GRANTED = "access_granted", _("access granted")
    EXPORTED = "exported", _("exported")
    DOCUMENT_ISSUED = "document_issued", _("document issued")
    DOCUMENT_REPRINTED = "document_reprinted", _("document reprinted")
    PRINT_BATCH_STARTED = "print_batch_started", _("print batch started")
    PRINT_BATCH_DOWNLOADED = "print_batch_downloaded", _("print batch downloaded")
    IMPORTED = "imported", _("imported")
    IMPORT_FAILED = "import_failed", _("import failed")
    # Periodic returns (Art. 9.1, 9.2): filed, corrected by a new version, an overdue task
    # closed by an officer.
    RETURN_FILED = "return_filed", _("return filed")
    RETURN_CORRECTED = "return_corrected", _("return corrected")
    RETURN_TASK_CLOSED = "return_task_closed", _("overdue return task closed")
    # Due diligence (Art. 6.3(d), 7): recorded on the application's review, and shown on the
    # application's trail too (licensing/trail.py).
    CHECKS_RUN = "checks_run", _("due-diligence checks run")
    FLAG_CLEARED = "flag_cleared", _("due-diligence flag cleared")
    FLAG_UPHELD = "flag_upheld", _("due-diligence flag upheld")
    REVIEW_COMPLETED = "review_completed", _("due-diligence review completed")
    REVIEW_REOPENED = "review_reopened", _("due-diligence review reopened")
    # Licensees' reports (Art. 7.1(c), 10.1(a)): filed as SUBMITTED, taken as REVIEW_STARTED.
    REPORT_ACCEPTED = "report_accepted", _("report accepted")
    REPORT_DISMISSED = "report_dismissed", _("report dismissed")
    # The equipment register (Art. 6.3(h), 6.3(i), 18).
    REGISTERED = "registered", _("registered")
    CUSTODY_NOTIFIED = "custody_notified", _("custody change notified")
    CUSTODY_CONFIRMED = "custody_confirmed", _("custody change confirmed")
    CUSTODY_REJECTED = "custody_rejected", _("custody change rejected")
    DISPOSAL_REQUIRED = "disposal_required", _("disposal required")
    SEIZED = "seized", _("seized")
    DESTRUCTION_REQUESTED = "destruction_requested", _("destruction requested")
    DESTRUCTION_SCHEDULED = "destruction_scheduled", _("destruction scheduled")
    DESTRUCTION_WITNESSED = "destruction_witnessed", _("destruction witnessed")
    DESTROYED = "destroyed", _("destroyed")
    CANCELLED = "cancelled", _("cancelled")
    # Seizures (Art. 18): confiscated items move between stores and leave by court order.
    CUSTODY_MOVED = "custody_moved", _("moved in custody")
    RELEASED = "released", _("released by court order")
    CASE_CLOSED = "case_closed", _("case closed")
    # Inspections and periodic audits (Art. 6.3(e)).
    INSPECTION_PLANNED = "inspection_planned", _("inspection planned")
    INSPECTION_STARTED = "inspection_started", _("inspection started")
    INSPECTION_SUBMITTED = "inspection_submitted", _("inspection submitted")
    INSPECTION_REVIEWED = "inspection_reviewed", _("inspection reviewed")
    INSPECTION_REOPENED = "inspection_reopened", _("inspection reopened")
    FINDING_RECORDED = "finding_recorded", _("finding recorded")
    # Staff security (docs/security.md). Art. 5: reading personal data leaves a trace.
    VIEWED = "viewed", _("personal data viewed")
    FACTOR_ENROLLED = "factor_enrolled", _("second factor enrolled")
    FACTOR_REMOVED = "factor_removed", _("second factor removed")
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", _("recovery codes issued")
    FACTOR_RESET_REQUESTED = "factor_reset_requested", _("second-factor reset requested")
    FACTOR_RESET = "factor_reset", _("second factor reset")
    FACTOR_RESET_REFUSED = "factor_reset_refused", _("second-factor reset refused")
    # The tamper-evident chain over this trail (licensing/audit_chain.py).
    CHAIN_VERIFIED = "chain_verified", _("audit chain verified")
    CHAIN_BROKEN = "chain_broken", _("audit chain broken")
    # Assistance cases (Art. 21, 28): recorded as CREATED, assigned as ASSIGNED, taken up as
    # REVIEW_STARTED.
    ANSWER_PREPARED = "answer_prepared", _("answer prepared")
    ANSWERED = "answered", _("answered")
    DECLINED = "declined", _("declined")
    REMINDED = "reminded", _("reminder sent")
    ESCALATED = "escalated", _("escalated")
    # Transit notices (Art. 12.3): filed as SUBMITTED, chased as ESCALATED.
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    FLAGGED = "flagged", _("flagged")
    GOODS_LEFT = "goods_left", _("goods left the territory")


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly()


class AppendOnly(models.Model):
    """Rows are inserted once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly()


class AuditEventQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )


class AuditEvent(models.Model):
    """One event per transition or edit. Rows are only ever inserted: the ORM refuses updates
    and deletes, and on PostgreSQL a trigger refuses them too (migration 0002)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The actor's name at the time, or "system" for jobs: kept even if the user is renamed.
    actor_label = models.CharField(_("actor"), max_length=150)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    verb = models.CharField(_("verb"), max_length=32, choices=Verb.choices)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    # HMAC-SHA256 of the content above under the chain's key (licensing/audit_hashing.py); the
    # chain of links (AuditChainLink) makes a deleted or inserted event show as well.
    digest = models.CharField(_("digest"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ("at", "pk")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly()
        # Stored as hashed: what the JSON column will give back when the verifier reads it.
        self.changes = json_safe(self.changes)
        self.digest = event_digest(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly()


class AuditChainLink(AppendOnly):
    """One event's place in the chain: ``hash`` covers the previous link's hash, the position,
    the event's id and its digest, so an event deleted, inserted or changed breaks the chain.
    Written by ``licensing.audit_chain.link_pending_events`` only, after the event commits."""

    position = models.PositiveBigIntegerField(_("position"), unique=True)
    event = models.OneToOneField(
        AuditEvent,
        verbose_name=_("audit event"),
        on_delete=models.PROTECT,
        related_name="chain_link",
    )
    event_digest = models.CharField(_("event digest"), max_length=64)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit chain link")
        verbose_name_plural = _("audit chain links")
        ordering = ("position",)

    def __str__(self) -> str:
        return f"{self.position}: {self.event_id}"


class AuditCheckpoint(AppendOnly):
    """The result of one verification of the chain, sealed with ``mac`` under the chain's key:
    a checkpoint a DBA forges or alters, or a chain cut short after an ok checkpoint, shows."""

    position = models.PositiveBigIntegerField(_("position"))
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    last_event_id = models.BigIntegerField(_("last event"), null=True, blank=True)
    events_verified = models.PositiveBigIntegerField(_("events verified"))
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("chain intact"))
    first_broken = models.TextField(_("first broken link"), blank=True)
    mac = models.CharField(_("seal"), max_length=64)

    class Meta:
        verbose_name = _("audit chain checkpoint")
        verbose_name_plural = _("audit chain checkpoints")
        ordering = ("-verified_at", "-pk")

    def __str__(self) -> str:
        return f"{self.verified_at:%Y-%m-%d %H:%M} {self.position} {'ok' if self.ok else 'broken'}"
