"""Shared test set-up: eager Celery unless a test asks for a real worker, a fast password hasher,
one user per role (groups from the data migration 0003_roles), and applicants tied to a Party
by a django-guardian object permission."""

from __future__ import annotations

import gettext as gettext_module
import importlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation
from guardian.shortcuts import assign_perm

from licensing.models import AuditEvent
from tests.factories import UserFactory

pytest_plugins = ("celery.contrib.pytest",)

REDIS_URL = os.environ.get("REDIS_URL", "")


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """Skip, with the reason, what this machine cannot run."""
    no_redis = pytest.mark.skip(reason="needs a real Celery worker on Redis: set REDIS_URL")
    for item in items:
        if "worker" in item.keywords and not REDIS_URL:
            item.add_marker(no_redis)


@pytest.fixture(autouse=True)
def _postgresql_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (row locks and triggers); SQLite locks the whole file and has no "
            "audit trigger: set DATABASE_URL=postgres://..."
        )
    if request.node.get_closest_marker("worker") and connection.vendor == "sqlite":
        # The in-process worker is a thread sharing the test's in-memory database, whose
        # table locks fail at once ("database table is locked") instead of waiting: a mail
        # sent and then not recorded as sent is sent again. PostgreSQL runs these in CI.
        pytest.skip("a real worker needs PostgreSQL: in-memory SQLite fails on table locks")


def _restore_reference_data() -> None:
    """Put back what the data migrations create (contenttypes and permissions, the role groups
    of 0003 and the later grants, the fee schedule of 0004, the inspections' checklists), where a
    transactional test's flush has removed them: by running the migrations' own functions again."""
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.management import create_contenttypes

    roles = importlib.import_module("licensing.migrations.0003_roles")
    fees = importlib.import_module("licensing.migrations.0004_fee_schedule")
    later = importlib.import_module("licensing.migrations.0007_roles_for_portal_records")
    printing = importlib.import_module("licensing.migrations.0012_issued_documents")
    exporters = importlib.import_module("licensing.migrations.0013_export_permission")
    batches = importlib.import_module("licensing.migrations.0014_print_batches")
    importers = importlib.import_module("licensing.migrations.0015_legacy_import")
    due_diligence = importlib.import_module("duediligence.migrations.0002_roles")
    reports = importlib.import_module("duediligence.migrations.0004_report_roles")
    equipment = importlib.import_module("equipment.migrations.0002_roles")
    suspension = importlib.import_module(
        "licensing.migrations.0022_inspection_reports_and_suspension_proposals"
    )
    inspections = importlib.import_module("inspections.migrations.0002_roles")
    audit_chain = importlib.import_module("licensing.migrations.0027_audit_chain")
    checklists = importlib.import_module("inspections.migrations.0003_checklists")
    second_factor = importlib.import_module("twofactor.migrations.0001_initial")
    returns_roles = importlib.import_module("returns.migrations.0002_roles")
    seizures_roles = importlib.import_module("seizures.migrations.0002_roles")
    identifier_roles = importlib.import_module("licensing.migrations.0034_identifier_roles")
    machine_codes = importlib.import_module("equipment.migrations.0005_machine_codes")
    api_roles = importlib.import_module("api.migrations.0002_roles")
    subscription_roles = importlib.import_module("api.migrations.0004_subscription_roles")
    party_report_roles = importlib.import_module("reports.migrations.0002_roles")
    management_roles = importlib.import_module("reports.migrations.0004_management_roles")
    cooperation_roles = importlib.import_module("cooperation.migrations.0002_roles")
    assistance_roles = importlib.import_module("cooperation.migrations.0004_disclosures_kept")
    zone_roles = importlib.import_module("cooperation.migrations.0006_zone_and_transit_roles")
    from inspections.models import ChecklistTemplate

    if not ChecklistTemplate.objects.exists():
        checklists.seed(global_apps, None)
    if Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES):
        return
    for app_config in global_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
    roles.create_roles(global_apps, None)
    later.grant(global_apps, None)
    printing.grant(global_apps, None)
    exporters.grant(global_apps, None)
    batches.grant(global_apps, None)
    importers.grant(global_apps, None)
    due_diligence.grant(global_apps, None)
    reports.grant(global_apps, None)
    equipment.grant(global_apps, None)
    suspension.grant(global_apps, None)
    inspections.grant(global_apps, None)
    audit_chain.grant(global_apps, None)
    second_factor.grant(global_apps, None)
    returns_roles.grant(global_apps, None)
    seizures_roles.grant(global_apps, None)
    identifier_roles.grant(global_apps, None)
    machine_codes.grant(global_apps, None)
    api_roles.grant(global_apps, None)
    subscription_roles.grant(global_apps, None)
    party_report_roles.grant(global_apps, None)
    management_roles.grant(global_apps, None)
    cooperation_roles.grant(global_apps, None)
    assistance_roles.grant(global_apps, None)
    zone_roles.grant(global_apps, None)
    fees.create_schedule(global_apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """A transactional test (``django_db(transaction=True)``, ``live_server``) may follow one
    whose teardown flushed every table, the migrations' reference data with it."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _restore_reference_data()


@pytest.fixture(autouse=True)
def _eager_celery(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in the test's thread, except in tests marked ``worker`` (a real worker)."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from licensing.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in another language leaves that language active in the test's thread
    (LocaleMiddleware activates it and nothing deactivates it): every test starts and ends in
    the default language, whatever ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def demo_authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Every document a test issues is signed (issue 20, licensing/signing): by a demo
    authority of the test session's own, never the one `make run` keeps under var/signing/."""
    from licensing.signing.demo import ensure_demo_authority

    authority = ensure_demo_authority(
        tmp_path_factory.mktemp("signing"), authority="Test Licensing Authority"
    )
    with override_settings(
        DOCUMENT_SIGNING_PKCS12=str(authority.pkcs12),
        DOCUMENT_SIGNING_PASSPHRASE=authority.passphrase,
        DOCUMENT_SIGNING_PKCS11_MODULE="",
        DOCUMENT_SIGNING_TSA_URL="",
        DOCUMENT_SIGNING_TRUST_ROOTS=[str(authority.root_pem)],
    ):
        yield authority


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads never land in the repository's var/
    # A cache of its own per test: rate-limit counters never carry over from another test, or
    # from another run against the same Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }


@pytest.fixture(scope="session")
def compiled_messages() -> Iterator[None]:
    """Compile the .po files (``make messages`` does the same) and make Django reload them."""
    cwd = Path.cwd()
    os.chdir(settings.BASE_DIR)  # compilemessages looks for locale directories under cwd
    try:
        call_command("compilemessages", ignore_patterns=[".venv", "var"], verbosity=0)
    finally:
        os.chdir(cwd)
    # Python's gettext keeps every .mo it has read, by path: a catalogue read before this
    # compilation (by an earlier test) would otherwise be served stale.
    gettext_module._translations.clear()  # type: ignore[attr-defined]
    # Changing LOCALE_PATHS (to the same value) empties Django's cache of loaded catalogues.
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


@pytest.fixture(scope="session")
def celery_config() -> dict[str, Any]:
    """For the in-process worker of celery.contrib.pytest (tests marked ``worker``)."""
    return {
        "broker_url": REDIS_URL or "memory://",
        "result_backend": REDIS_URL or "cache+memory://",
        "task_ignore_result": False,
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
    }


@pytest.fixture(scope="session")
def celery_includes() -> tuple[str, ...]:
    return ("licensing.tasks", "duediligence.tasks", "equipment.tasks")


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff pass a second step after the password (issue 15, twofactor app), and the
    middleware sends an unverified staff session to it from every page. Hundreds of tests sign
    in with ``client.force_login(user)`` to test something else: for a staff user this also
    gives the user a confirmed TOTP device and marks the session verified by it, exactly what
    a passed second step leaves in the session. Tests of the second step itself are marked
    ``real_second_factor`` and go through the real step (tests/twofactor/)."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    force_login = Client.force_login

    def force_login_verified(self: Client, user: Any, backend: str | None = None) -> None:
        force_login(self, user, backend)
        if user.is_staff or user.is_superuser:
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, name="test device", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


def _user(role: str, username: str, *, staff: bool = True) -> Any:
    user = UserFactory(username=username, is_staff=staff, role=role)
    return get_user_model().objects.get(pk=user.pk)  # a fresh object: no cached permissions


@pytest.fixture
def officer(db: None) -> Any:
    return _user("licence officer", "officer")


@pytest.fixture
def officer2(db: None) -> Any:
    return _user("licence officer", "officer2")


@pytest.fixture
def senior(db: None) -> Any:
    return _user("senior officer", "senior")


@pytest.fixture
def senior2(db: None) -> Any:
    return _user("senior officer", "senior2")


@pytest.fixture
def inspector(db: None) -> Any:
    return _user("inspector", "inspector")


@pytest.fixture
def registrar(db: None) -> Any:
    return _user("registrar", "registrar")


@pytest.fixture
def auditor(db: None) -> Any:
    return _user("auditor", "auditor")


@pytest.fixture
def applicant_for(db: None) -> Callable[[Any], Any]:
    """``applicant_for(party)``: a new portal user who acts for ``party`` (and nobody else)."""

    def make(party: Any) -> Any:
        user = UserFactory(is_staff=False, role="applicant")
        assign_perm("licensing.act_for_party", user, party)
        return get_user_model().objects.get(pk=user.pk)  # re-fetched: permissions are cached

    return make


@pytest.fixture
def refused() -> Callable[..., Any]:
    """``with refused(FeeUnpaid, application): approve(...)`` checks that the service raised
    that domain error, that the record kept its state, and that no audit event was written."""

    @contextmanager
    def check(error: type[Exception], obj: Any = None, field: str = "state") -> Iterator[Any]:
        before = getattr(type(obj).objects.get(pk=obj.pk), field) if obj is not None else None
        events = AuditEvent.objects.count()
        with pytest.raises(error) as info:
            yield info
        if obj is not None:
            assert getattr(type(obj).objects.get(pk=obj.pk), field) == before
        assert AuditEvent.objects.count() == events

    return check


@pytest.fixture
def one_window(time_machine: Any) -> Callable[[int], None]:
    """``one_window(60)`` before a test's requests: the rate limits (licensing.ratelimit) count
    in fixed windows of the clock, so requests that straddle a window's end are counted in two
    and a refusal the test expects would not come. The clock moves, still running, to the next
    window's start (at most ``seconds`` ahead), with the whole window for the test."""

    def start(seconds: int = 60) -> None:
        time_machine.move_to((time.time() // seconds + 1) * seconds, tick=True)

    return start
