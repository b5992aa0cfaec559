"""Exactly one scheduler however many beats run (issue 21): two real ``scripts/serve beat``
processes on Redis, a schedule of one job a second. One takes the lock and sends the job; the
other sends nothing. Killed with SIGKILL (no release of the lock), the first is replaced by the
second within the lock's timeout, and the job is still sent once a tick, never twice.

Each message a beat sends names its process (the ``origin`` header, ``gen<pid>@<host>``): the
test reads them off the broker's queue. It uses Redis database 13 of the ``REDIS_URL`` server
(never CI's database 0), keys under a prefix of its own, and removes what it wrote."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from tests.licensing.worker_processes import wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"
TASK = "licensing.tasks.sweep_notifications"
LOCK_TIMEOUT = 3  # seconds
QUEUE = "celery"

pytestmark = pytest.mark.worker  # needs Redis: skipped without REDIS_URL


def db13(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/13"))


class Beats:
    """Two beat processes and what they sent."""

    def __init__(self, url: str, prefix: str, workdir: Path) -> None:
        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self.workdir = workdir
        self.env = {
            **os.environ,
            "REDIS_URL": url,
            "CELERY_BROKER_URL": url,
            "BEAT_KEY_PREFIX": prefix,
            "BEAT_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT),
            "BEAT_MAX_INTERVAL_SECONDS": "1",
            # The one job that comes due during the test: every second. The others' first run
            # is one interval (minutes) after the start; the daily ones are at night.
            "SWEEP_NOTIFICATIONS_EVERY_SECONDS": "1",
            "DJANGO_VAR_DIR": str(workdir),
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.sent: list[bytes] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.workdir / f"{name}.log").open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (the project's own script)
                [str(SERVE), "beat"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def sent_by(self) -> dict[int, int]:
        """Messages of the test's job on the queue, by the pid of the beat that sent them."""
        pids = {p.pid for p in self.processes.values()}
        counts = {pid: 0 for pid in pids}
        for raw in self.redis.lrange(QUEUE, 0, -1):
            headers = json.loads(raw)["headers"]
            pid = int(re.match(r"gen(\d+)@", headers.get("origin") or "gen0@").group(1))
            if headers.get("task") == TASK and pid in pids:
                counts[pid] += 1
                if raw not in self.sent:
                    self.sent.append(raw)
        return counts

    def lock_ttl(self) -> int:
        return int(self.redis.pttl(f"{self.prefix}:lock"))

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.sent_by()
        for raw in self.sent:
            self.redis.lrem(QUEUE, 0, raw)
        keys = list(self.redis.scan_iter(match=f"{self.prefix}*"))
        if keys:
            self.redis.delete(*keys)
        self.redis.close()


@pytest.fixture
def beats(tmp_path: Path) -> Iterator[Beats]:
    url = db13(os.environ["REDIS_URL"])
    pair = Beats(url, f"test-one-beat-{uuid.uuid4().hex[:12]}:", tmp_path)
    try:
        yield pair
    finally:
        pair.stop()


def sending_times(log: str) -> list[datetime]:
    return [
        # The beats' own clock and zone, the same for both: only differences are used.
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")  # noqa: DTZ007
        for stamp in re.findall(
            r"\[(\S+ \S+): INFO/MainProcess\] Scheduler: Sending due task sweep-notifications",
            log,
        )
    ]


def test_two_beats_one_sends_and_the_other_takes_over(beats: Beats) -> None:
    first, second = beats.start("a"), beats.start("b")
    holder_name = wait_for(
        lambda: next((n for n in ("a", "b") if "beat: Acquired lock" in beats.log(n)), None),
        timeout=15,
        what="a beat to take the lock",
    )
    holder = beats.processes[holder_name]
    waiting_name = "b" if holder_name == "a" else "a"
    waiting = beats.processes[waiting_name]
    assert {first.pid, second.pid} == {holder.pid, waiting.pid}

    # The holder sends the job every second; the other waits for the lock and sends nothing.
    wait_for(lambda: beats.sent_by()[holder.pid] >= 3, timeout=10, what="three sends")
    sent = beats.sent_by()
    assert sent[waiting.pid] == 0, beats.log(waiting_name)
    assert "Acquired lock" not in beats.log(waiting_name)
    assert waiting.poll() is None
    # The holder renews its lock: it is there, and never longer than its timeout (read until
    # seen, so that a holder paused by a busy machine does not fail the test).
    wait_for(
        lambda: 0 < beats.lock_ttl() <= LOCK_TIMEOUT * 1000, timeout=5, what="the holder's lock"
    )
    for name in ("a", "b"):  # the settings reach redbeat under the names it reads
        assert "RedBeat will stop falling back" not in beats.log(name)
        assert f"lock -> `{beats.prefix}:lock`" in beats.log(name)

    # The holder dies without releasing the lock: the other takes over once it expires.
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=5)
    killed = time.monotonic()
    by_holder = beats.sent_by()[holder.pid]
    wait_for(
        lambda: "beat: Acquired lock" in beats.log(waiting_name),
        timeout=LOCK_TIMEOUT + 10,
        what="the waiting beat to take over",
    )
    # Once the lock has expired, at the waiting beat's next try (every second); the margin is
    # for a busy two-core machine.
    took_over = time.monotonic() - killed
    assert took_over <= LOCK_TIMEOUT + 8, took_over
    wait_for(lambda: beats.sent_by()[waiting.pid] >= 2, timeout=5, what="sends after takeover")
    assert beats.sent_by()[holder.pid] == by_holder

    # Never two sends for one tick: across both logs, sends are a second apart or more.
    times = sorted(sending_times(beats.log("a")) + sending_times(beats.log("b")))
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert len(times) >= 5
    assert min(gaps) >= 0.9, gaps
    print(
        f"\nholder pid {holder.pid} sent {by_holder}; killed; pid {waiting.pid} took the lock "
        f"{took_over:.1f} s later (lock timeout {LOCK_TIMEOUT} s) and sent "
        f"{beats.sent_by()[waiting.pid]}; gaps between sends {min(gaps):.2f}-{max(gaps):.2f} s"
    )
