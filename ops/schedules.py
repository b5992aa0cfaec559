"""The scheduled jobs, for officers (issue 21): what beat runs, how often, and when each last
ran. Read-only; the schedule is ``CELERY_BEAT_SCHEDULE`` (licensing/settings.py and each
app's entries), and a last run is known when beat keeps its schedule in Redis (celery-redbeat,
docs/operations.md, *Exactly one scheduler*); on a laptop's single beat it is not recorded."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: str
    every: str
    last_run: dt.datetime | None


def every(schedule: Any) -> str:
    """How often, as an officer reads it."""
    if isinstance(schedule, crontab):
        # The fields as written in the schedule (celery keeps them as given, before expanding).
        return _("at minute %(minute)s, hour %(hour)s (UTC), days %(days)s") % {
            "minute": getattr(schedule, "_orig_minute", "*"),
            "hour": getattr(schedule, "_orig_hour", "*"),
            "days": getattr(schedule, "_orig_day_of_week", "*"),
        }
    seconds = int(schedule.total_seconds() if isinstance(schedule, dt.timedelta) else schedule)
    if seconds and seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("every day", "every %(count)d days", days) % {"count": days}
    if seconds and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("every hour", "every %(count)d hours", hours) % {"count": hours}
    if seconds and seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("every minute", "every %(count)d minutes", minutes) % {"count": minutes}
    return ngettext("every second", "every %(count)d seconds", seconds) % {"count": seconds}


def _last_runs(names: list[str]) -> dict[str, dt.datetime]:
    """Each entry's last run as redbeat keeps it, when beat runs on redbeat; nothing else."""
    if getattr(settings, "CELERY_BEAT_SCHEDULER", "") != "redbeat.RedBeatScheduler":
        return {}
    from redbeat.schedulers import RedBeatSchedulerEntry

    from licensing.celery import app

    runs: dict[str, dt.datetime] = {}
    for name in names:
        try:
            entry = RedBeatSchedulerEntry.from_key(f"{settings.REDBEAT_KEY_PREFIX}{name}", app=app)
        except KeyError:  # not sent yet by this installation's beat
            continue
        except Exception:  # Redis down: the page still lists the schedule
            logger.warning("the beat schedule's last runs cannot be read", exc_info=True)
            return runs
        if entry.last_run_at:
            runs[name] = entry.last_run_at
    return runs


def scheduled_jobs() -> list[ScheduledJob]:
    entries = sorted(settings.CELERY_BEAT_SCHEDULE.items())
    last = _last_runs([name for name, _entry in entries])
    return [
        ScheduledJob(name, str(entry["task"]), every(entry["schedule"]), last.get(name))
        for name, entry in entries
    ]


def schedules_view(request: HttpRequest) -> HttpResponse:
    """Any staff user (the admin's own check, ``admin_view``): the jobs run for everyone."""
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": _("Scheduled jobs"),
        "jobs": scheduled_jobs(),
        "recorded": getattr(settings, "CELERY_BEAT_SCHEDULER", "") == "redbeat.RedBeatScheduler",
    }
    return TemplateResponse(request, "admin/ops/schedules.html", context)
