"""The signing key in an HSM, through PKCS#11 (``DOCUMENT_SIGNING_PKCS11_*``, docs/signing.md):
one logged-in session per process and token, kept, closed when dropped, replaced once when the
HSM dropped it; a PIN the token refused is not tried again until the settings change."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from licensing.signing.errors import SigningFailed

logger = logging.getLogger(__name__)


class _Pkcs11Sessions(dict[tuple[str, str, str], Any]):
    """The open sessions, by module, token and PIN. A session is closed (logged out) when it
    is dropped: one left open keeps the token logged in, and the next session's log-in then
    fails (CKR_USER_ALREADY_LOGGED_IN). A PIN the token refused is kept too, and not tried
    again until the settings change: an HSM locks its user PIN after a few wrong ones, and
    every print job would try."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[tuple[str, str, str]] = set()
        self.lock = threading.Lock()
        self.pid = os.getpid()

    def of_this_process(self) -> None:
        """A forked child (a Celery prefork worker, gunicorn with --preload) must not use its
        parent's sessions: they are forgotten there, unclosed (closing them would log the
        parent out)."""
        if self.pid != os.getpid():
            dict.clear(self)
            self.pid = os.getpid()

    def discard(self, key: tuple[str, str, str]) -> None:
        session = self.pop(key, None)
        if session is not None:
            try:
                session.close()
            except Exception:  # a session the HSM already dropped
                logger.info("PKCS#11 session on %r not closed cleanly", key[1], exc_info=True)

    def clear(self) -> None:
        for key in list(self):
            self.discard(key)
        self.refused.clear()


_pkcs11_sessions = _Pkcs11Sessions()


def _pkcs11_error(error: BaseException) -> str:
    # python-pkcs11's errors mostly carry no message: their class names the PKCS#11 code.
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def pkcs11_signer(module: str, token: str, key_label: str, cert_label: str, pin: str) -> Any:
    """One session per process and token: an HSM limits its sessions, and opening one per
    document would cost a log-in each time. The key and certificate are looked up here, so
    that a wrong label, or a session the HSM dropped (a restart), fails here: a dropped
    session is replaced once."""
    from pkcs11.exceptions import PinIncorrect, PinLocked
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    session_key = (module, token, pin)
    where = f"the HSM token {token!r} ({module})"
    with _pkcs11_sessions.lock:
        _pkcs11_sessions.of_this_process()
        if session_key in _pkcs11_sessions.refused:
            raise SigningFailed(f"{where} refused the PIN (DOCUMENT_SIGNING_PKCS11_PIN)")
        for attempt in (1, 2):
            session = _pkcs11_sessions.get(session_key)
            cached = session is not None
            try:
                if session is None:
                    # Another PIN's session on the token would make this log-in fail.
                    for other in [k for k in _pkcs11_sessions if k[:2] == session_key[:2]]:
                        _pkcs11_sessions.discard(other)
                    session = pkcs11.open_pkcs11_session(
                        module, token_criteria=TokenCriteria(label=token), user_pin=pin
                    )
                    _pkcs11_sessions[session_key] = session
                signer = pkcs11.PKCS11Signer(
                    session, key_label=key_label, cert_label=cert_label or key_label
                )
                signer.signing_cert  # noqa: B018 (finds the certificate and the key)
                return signer
            except (PinIncorrect, PinLocked) as error:
                _pkcs11_sessions.refused.add(session_key)
                raise SigningFailed(
                    f"{where} refused the PIN (DOCUMENT_SIGNING_PKCS11_PIN): {_pkcs11_error(error)}"
                ) from error
            except Exception as error:
                _pkcs11_sessions.discard(session_key)
                if cached and attempt == 1:
                    logger.warning("%s: the open session failed, opening another", where)
                    continue
                raise SigningFailed(f"{where} cannot be used: {_pkcs11_error(error)}") from error
    raise AssertionError("unreachable")


def forget_sessions() -> None:
    """Close every session (the settings changed)."""
    with _pkcs11_sessions.lock:
        _pkcs11_sessions.clear()
