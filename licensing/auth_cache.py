"""Who is asking, read from the shared cache instead of the database on every request: the
signed-in user, the permissions of the user and of the user's groups, and the second-factor
device that verified the session. Without it, four of an officer's six queries per page were
these lookups (docs/benchmarks.md).

On only where the cache is shared by every web process (Redis: ``AUTH_CACHE_SECONDS`` defaults
to 300 when ``REDIS_URL`` is set, else 0, off). A process-local cache would keep serving a
deactivated user from the processes that did not see the change.

A change takes effect on the next request, never after the cache's lifetime: each entry is
tagged with the user's version token and a generation shared by everyone, and an entry whose
tags are not the current ones is read again from the database. Saving or deleting the user
(``is_active``, ``is_staff``, the password), a change to the user's groups or own permissions,
and saving or deleting one of the user's second-factor devices give the user a new version
token; a change to a group's permissions, a group or a permission gives everyone a new
generation (ASVS V8.2.1, V8.3.1: access follows the authorisation in force). The tokens are
renewed at once and again when the transaction commits, so that a request that read the
database before the commit cannot leave the old rows in the cache under the new token.
``AUTH_CACHE_SECONDS`` bounds what a change made behind the ORM's back (a raw UPDATE) may keep.

The object permissions (django-guardian) are not cached: they are read where a page asks for
them, as before."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

GENERATION_KEY = "auth-cache:generation"
# The tokens outlive the entries: a token that expires only causes a read from the database.
TOKEN_SECONDS = 24 * 3600


def _version_key(user_id: Any) -> str:
    return f"auth-cache:version:{user_id}"


def _user_key(user_id: Any) -> str:
    return f"auth-cache:user:{user_id}"


def _devices_key(user_id: Any) -> str:
    return f"auth-cache:devices:{user_id}"


def seconds() -> int:
    """How long an entry may be served; 0: off."""
    return int(getattr(settings, "AUTH_CACHE_SECONDS", 0) or 0)


def _token() -> str:
    return uuid.uuid4().hex


@dataclass
class CachedAuth:
    """What one request learnt from the cache about its user: the tags in force and the
    devices already looked up (by persistent id; None for an id that names no device)."""

    user_id: Any
    tags: tuple[str, str]
    devices: dict[str, Device | None] = field(default_factory=dict)


def _current_tags(user_id: Any, found: dict[str, Any]) -> tuple[str, str]:
    """The user's version token and the generation; each created when missing. A token that
    another process created at the same moment wins (``add``); this request's entry is then
    tagged with a token that never matches, and the next request reads the database."""
    tags = []
    for key in (_version_key(user_id), GENERATION_KEY):
        value = found.get(key)
        if value is None:
            value = _token()
            cache.add(key, value, TOKEN_SECONDS)
        tags.append(value)
    return tags[0], tags[1]


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, with the user and its permissions from the cache when on."""

    def get_user(self, user_id: Any) -> Any:
        ttl = seconds()
        if not ttl:
            return super().get_user(user_id)
        keys = [_version_key(user_id), GENERATION_KEY, _user_key(user_id), _devices_key(user_id)]
        found = cache.get_many(keys)
        tags = _current_tags(user_id, found)
        entry = found.get(_user_key(user_id))
        user = entry[1] if entry is not None and entry[0] == tags else None
        if user is None:
            user = super().get_user(user_id)  # None for an inactive user (user_can_authenticate)
            if user is None:
                return None
            # Fills the user's permission caches (user and groups), pickled with the user.
            self.get_all_permissions(user)
            cache.set(_user_key(user_id), (tags, user), ttl)
        devices = found.get(_devices_key(user_id))
        user._auth_cache = CachedAuth(  # type: ignore[union-attr]
            user_id=user_id,
            tags=tags,
            devices=dict(devices[1]) if devices is not None and devices[0] == tags else {},
        )
        return user


def _device(user: Any, persistent_id: str) -> Device | None:
    state: CachedAuth | None = getattr(user, "_auth_cache", None)
    if state is None or not seconds():
        return Device.from_persistent_id(persistent_id)
    if persistent_id in state.devices:
        return state.devices[persistent_id]
    device = Device.from_persistent_id(persistent_id)
    state.devices[persistent_id] = device
    cache.set(_devices_key(state.user_id), (state.tags, state.devices), seconds())
    return device


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the device that verified the session from the cache.
    django-otp still checks that the device is the user's and confirmed."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = (
                _device(user, self._normalize_persistent_id(persistent_id))
                if persistent_id
                else None
            )
            user.otp_device = self._finalize_device(request, user, device)
        return user


def _renew(key: str) -> None:
    cache.set(key, _token(), TOKEN_SECONDS)


def forget_user(user_id: Any) -> None:
    """The user's next request reads the user, permissions and devices from the database."""
    key = _version_key(user_id)
    _renew(key)
    transaction.on_commit(lambda: _renew(key))


def forget_everyone() -> None:
    _renew(GENERATION_KEY)
    transaction.on_commit(lambda: _renew(GENERATION_KEY))


def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def _everyone_changed(sender: Any, **kwargs: Any) -> None:
    forget_everyone()


def _user_links_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """``user.groups`` or ``user.user_permissions`` changed, from either side."""
    if not action.startswith("post_"):
        return
    if not reverse:
        forget_user(instance.pk)
    elif pk_set:
        for user_id in pk_set:
            forget_user(user_id)
    else:  # group.user_set.clear(): the members are no longer known
        forget_everyone()


def _device_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.user_id is not None:
        forget_user(instance.user_id)


def connect() -> None:
    """Called from the app's ``ready()`` in every process (web, workers, shell): a change made
    anywhere renews the tokens."""
    user_model = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(_user_saved, sender=user_model, dispatch_uid="auth_cache_user")
        for shared in (Group, Permission):
            signal.connect(_everyone_changed, sender=shared, dispatch_uid=f"auth_cache_{shared}")
        for model in apps.get_models():
            if issubclass(model, Device):
                signal.connect(
                    _device_changed, sender=model, dispatch_uid=f"auth_cache_device_{model}"
                )
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            _user_links_changed, sender=through, dispatch_uid=f"auth_cache_links_{through}"
        )
    m2m_changed.connect(
        _everyone_changed, sender=Group.permissions.through, dispatch_uid="auth_cache_group_perms"
    )
