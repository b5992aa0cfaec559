"""``fixtures/demo.json``: written from a built demo world, loaded with its dates moved on.

The file refers to users by username and to content types and permissions by natural key
(``--natural-foreign``), so it loads into any freshly migrated database once the demo users
exist. ``fixtures/demo.meta.json`` records the build date; on loading, every date and
timestamp is moved forward by the days since then, so that "expires in 20 days" stays true
whenever the demo is started."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import FileField
from django.db.models.signals import pre_save
from django.utils import timezone

from licensing.audit_chain import link_pending_events
from licensing.audit_hashing import event_digest, json_safe
from licensing.models import AuditEvent, FeeSchedule, Party
from licensing.services.snapshots import SnapshotEncoder

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
# Rows of these models come from migrations (or Django itself), not from the demo.
NOT_DUMPED = {
    "licensing.feeschedule",
    "inspections.checklisttemplate",
    "inspections.question",
    # The audit chain is rebuilt on loading: the demo's dates move, and the key is this site's.
    "licensing.auditchainlink",
    "licensing.auditcheckpoint",
}
# Dates that are rules, not events: never moved.
NOT_SHIFTED = {"licensing.feeschedule"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def meta_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


# The project's apps whose rows the demo writes: the core, and the apps above it whose
# services the demo runs (or that react to the core's signals while it is built).
DUMPED_APPS = ("licensing", "equipment", "returns", "seizures", "duediligence", "inspections")


def dump_objects() -> list[Any]:
    """Every row of the project's apps the demo made, in primary-key order per model, plus
    the historic fees."""
    objects: list[Any] = []
    models = [m for label in DUMPED_APPS for m in apps.get_app_config(label).get_models()]
    for model in models:
        if model._meta.label_lower in NOT_DUMPED:
            continue
        objects.extend(model._base_manager.order_by("pk"))  # proposals too
    objects.extend(FeeSchedule.objects.filter(valid_from__lt=dt.date(2026, 1, 1)).order_by("pk"))
    return objects


def media_folder(path: Path) -> Path:
    """The stored files the demo rows name (printed PDFs, uploads), beside the fixture."""
    return path.with_name(path.stem + ".media")


def _file_names(objects: list[Any]) -> list[str]:
    names: list[str] = []
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if isinstance(field, FileField):
                name = getattr(obj, field.attname)
                if name:
                    names.append(str(name))
    return names


def _copy_files_out(objects: list[Any], folder: Path) -> None:
    """Copy every file a dumped row names out of the build's storage, so that a fresh
    checkout's downloads (a printed letter, a destruction photo) are not broken links."""
    if folder.exists():
        shutil.rmtree(folder)
    for name in _file_names(objects):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source:
            target.write_bytes(source.read())


def restore_files(folder: Path) -> int:
    """Put the demo's files into the storage under the names its rows give; a file already
    there is left alone. Returns how many were written."""
    if not folder.is_dir():
        return 0
    written = 0
    for source in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = source.relative_to(folder).as_posix()
        if not default_storage.exists(name):
            # Names are the rows' own: the storage must not pick another one.
            saved = default_storage.save(name, ContentFile(source.read_bytes()))
            if saved != name:
                raise RuntimeError(f"demo file {name} was stored as {saved}")
            written += 1
    return written


def write_fixture(path: Path, *, built_on: dt.date) -> dict[str, int]:
    objects = dump_objects()
    _copy_files_out(objects, media_folder(path))
    text = serializers.serialize(
        "json", objects, indent=1, use_natural_foreign_keys=True, ensure_ascii=False
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj._meta.label_lower] = counts.get(obj._meta.label_lower, 0) + 1
    meta = {"built_on": built_on.isoformat(), "counts": dict(sorted(counts.items()))}
    meta_path(path).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return counts


def _shift_value(value: Any, days: int) -> Any:
    if isinstance(value, str):
        if DATE.match(value):
            return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
        if DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            return DjangoJSONEncoder().default(moment + dt.timedelta(days=days))
        return value
    if isinstance(value, list):
        return [_shift_value(item, days) for item in value]
    if isinstance(value, dict):
        return {key: _shift_value(item, days) for key, item in value.items()}
    return value


def shift_dates(objects: list[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    """Every date and timestamp moved ``days`` later, inside JSON fields too. A submission
    snapshot's SHA-256 is recomputed over its moved data, the way ``take_snapshot`` hashes."""
    moved = []
    for obj in objects:
        if obj["model"] in NOT_SHIFTED:
            moved.append(obj)
            continue
        fields = {name: _shift_value(value, days) for name, value in obj["fields"].items()}
        if obj["model"] == "licensing.submissionsnapshot":
            text = json.dumps(fields["data"], cls=SnapshotEncoder, sort_keys=True)
            fields["sha256"] = hashlib.sha256(text.encode()).hexdigest()
        moved.append({**obj, "fields": fields})
    return moved


def read_fixture(path: Path = FIXTURE) -> tuple[list[dict[str, Any]], dt.date]:
    objects = json.loads(path.read_text(encoding="utf-8"))
    meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
    return objects, dt.date.fromisoformat(meta["built_on"])


def demo_is_loaded(objects: list[dict[str, Any]]) -> bool:
    ids = [o["fields"]["public_id"] for o in objects if o["model"] == "licensing.party"]
    return Party.objects.filter(public_id__in=ids).exists()


def days_since(built_on: dt.date, today: dt.date | None = None) -> int:
    """How far to move the demo's dates: the days since the build, never backwards."""
    return max(0, ((today or timezone.localdate()) - built_on).days)


@transaction.atomic
def load_fixture(objects: list[dict[str, Any]], *, shift_days: int = 0) -> int:
    """Load the demo rows through ``loaddata``, their dates moved ``shift_days`` later."""
    if shift_days:
        objects = shift_dates(objects, shift_days)
    with tempfile.TemporaryDirectory() as folder, _sealing_loaded_events():
        target = Path(folder) / "demo.json"
        target.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
        call_command("loaddata", str(target), verbosity=0)
    # The demo's events, moved in time, start a chain of this site's key (docs/audit-chain.md).
    transaction.on_commit(lambda: link_pending_events(full=True))
    return len(objects)


@contextmanager
def _sealing_loaded_events() -> Iterator[None]:
    """``loaddata`` saves raw, past ``AuditEvent.save()``: digest the demo's events as they are
    inserted, their dates already moved, with this site's chain key. Demo loading only."""

    def seal(sender: Any, instance: AuditEvent, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            instance.changes = json_safe(instance.changes)
            instance.digest = event_digest(instance)

    pre_save.connect(seal, sender=AuditEvent, dispatch_uid="demo-seal-events")
    try:
        yield
    finally:
        pre_save.disconnect(sender=AuditEvent, dispatch_uid="demo-seal-events")
