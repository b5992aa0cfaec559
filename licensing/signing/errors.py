"""The one error of signing: a document that cannot be signed is not issued."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError


class SigningFailed(DomainError):
    default_message = _(
        "The document could not be signed with the authority's signing key, so it was not "
        "issued. The key or the timestamp service needs an administrator's attention."
    )

    def __init__(self, detail: str) -> None:
        super().__init__()
        # For the log and the registrar's alert: which setting or service failed (never the
        # passphrase or the PIN).
        self.detail = detail
