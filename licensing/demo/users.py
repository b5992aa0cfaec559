"""One demo login per role of DESIGN.md, with fixed usernames that the demo fixture refers to
by natural key. Demo data only: ``load_demo`` refuses to run with DEBUG off."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

DEFAULT_PASSWORD = "demo-password-2026"  # noqa: S105 - demo logins, printed on purpose


@dataclass(frozen=True)
class DemoUser:
    username: str
    group: str | None
    first_name: str
    last_name: str
    staff: bool = True
    superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@authority.example"


DEMO_USERS = (
    DemoUser("admin", None, "Site", "Administrator", superuser=True),
    DemoUser("officer", "licence officer", "Ingrid", "Halvorsen"),
    DemoUser("senior", "senior officer", "Gábor", "Szabó"),
    DemoUser("senior2", "senior officer", "Anna", "Lindqvist"),
    DemoUser("inspector", "inspector", "Piotr", "Zieliński"),
    DemoUser("registrar", "registrar", "Maren", "Dahl"),
    DemoUser("auditor", "auditor", "Jürgen", "Albrecht"),
    DemoUser("applicant", "applicant", "Erik", "Brekke", staff=False),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


@transaction.atomic
def ensure_demo_users(*, password: str | None) -> dict[str, object]:
    """Create or update the demo users (idempotent). ``password=None`` leaves them unusable."""
    User = get_user_model()
    users: dict[str, object] = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
                "is_staff": spec.staff or spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        if created or password is not None:
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
        if spec.group:
            user.groups.add(Group.objects.get(name=spec.group))
        users[spec.username] = user
    return users


@transaction.atomic
def ensure_portal_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    language: str,
    parties: Any,
    password: str | None,
) -> Any:
    """A demo portal user of an app above the core, acting for ``parties``, its pages in
    ``language`` (idempotent; ``password=None`` leaves it unusable)."""
    from guardian.shortcuts import assign_perm

    from licensing.services.accounts import set_language

    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@authority.example",
        },
    )
    if created or password is not None:
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name="applicant"))
    set_language(user=user, language=language)
    for party in parties:
        assign_perm("licensing.act_for_party", user, party)
    return get_user_model().objects.get(pk=user.pk)  # re-read: permissions are cached
