"""ASVS V6.3.7: a user is told by e-mail after their authentication details change (a factor
enrolled or removed, new recovery codes, a reset done or asked for), in their language, through
the project's one notification path (sent after the commit, at least once). The mail says what
changed and what to do if it was not them; it never carries a code, a secret or a link that
acts on the account."""

from __future__ import annotations

import logging
from typing import Any

from licensing.models.audit import AuditEvent
from licensing.services.accounts import language_of
from licensing.services.notifications import queue_notification

log = logging.getLogger("licensing.security")

# The e-mail templates (licensing/templates/licensing/email/<name>.txt), one per change.
FACTOR_ENROLLED = "factor_enrolled"
FACTOR_REMOVED = "factor_removed"
RECOVERY_CODES_ISSUED = "recovery_codes_issued"
FACTOR_RESET = "factor_reset"
FACTOR_RESET_REQUESTED = "factor_reset_requested"


def tell_user(*, user: Any, template: str, event: AuditEvent) -> None:
    """Queue the mail in the caller's transaction, once per audit event. An account without an
    address cannot be told: that is logged (staff accounts should all have one)."""
    if not user.email:
        log.warning("account change not mailed: no address user=%s change=%s", user.pk, template)
        return
    queue_notification(
        key=f"{template}:{event.pk}",
        template=template,
        recipient=user.email,
        language=language_of(user),
        context={"party_name": user.get_full_name() or user.get_username()},
        event=event,
    )
