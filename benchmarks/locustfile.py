"""Locust scenarios of the portal and the public verification page (benchmarks/load.py runs
them, one user class at a time, against gunicorn):

- ``Public``: anyone checking a licence number, as the QR code on a printed licence leads them
  (Art. 6: the licence is checkable; no log-in).
- ``Applicant``: a licensee in the portal: signs in, reads the home page, its licences and one
  licence, its drafts, and starts or saves a draft application (the activities step, Art. 6.1).
- ``Officer``: a licence officer in the admin: signs in with password and the second step
  (TOTP, a known secret per bench officer), lists licences, searches by number and by name,
  opens a licence and the application queue.
- ``Hello``: the hello-world view (benchmarks/hello.py), the baseline.

Every user sends its next request as soon as the last one is answered (no think time): 50 users
keep the server saturated, so p95 tells how much work a request is. The numbers, accounts and
records come from the benchmark database through the JSON file named by ``BENCH_LOAD_DATA``
(load.py samples and writes it). The measured window starts when every user is signed in
(statistics are reset then, so the log-ins' password hashing is not in the figure) and lasts
``BENCH_LOAD_WINDOW`` seconds; its start and end are marked in ``BENCH_LOAD_MARKS``."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import struct
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import gevent
from locust import FastHttpUser, constant, task

DATA: dict[str, Any] = (
    json.loads(Path(os.environ["BENCH_LOAD_DATA"]).read_text())
    if os.environ.get("BENCH_LOAD_DATA")
    else {"numbers": [], "applicants": [], "officers": [], "licence_ids": [], "terms": []}
)
WINDOW = float(os.environ.get("BENCH_LOAD_WINDOW", "30"))
MARKS = os.environ.get("BENCH_LOAD_MARKS", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_accounts = {"applicant": itertools.count(), "officer": itertools.count()}
_ready = itertools.count(1)


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 (30-second steps, six digits, SHA-1), as an authenticator app computes it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def mark(line: str) -> None:
    """One line in the file named by ``BENCH_LOAD_MARKS``: load.py samples the CPU of locust,
    gunicorn and PostgreSQL as each appears (the window's start and end)."""
    if MARKS:
        with open(MARKS, "a") as marks:
            marks.write(line + "\n")


def end_window(runner: Any) -> None:
    mark("end")
    runner.quit()


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        runner = self.environment.runner
        try:
            self.sign_in()
        except Exception as error:  # the run is void: say why, and stop at once
            mark(f"failed: {type(self).__name__} could not sign in: {error}")
            if runner is not None:
                runner.quit()
            raise
        # The last user to be ready starts the measured window: statistics from zero, then
        # WINDOW seconds of load from every user.
        if runner is not None and next(_ready) == runner.target_user_count:
            runner.stats.reset_all()
            mark("start")
            gevent.spawn_later(WINDOW, end_window, runner)

    def sign_in(self) -> None:
        pass

    def page(self, url: str, name: str) -> str:
        """A page as this user sees it: anything but 200 (a redirect to the log-in page, an
        error) is a failure."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{name}: {response.status_code} {where}".strip())
            return response.text or ""

    def post_form(self, url: str, page: str, data: dict[str, Any], name: str) -> Any:
        fields = {"csrfmiddlewaretoken": csrf_token(page), **data}
        with self.client.post(
            url,
            # Repeated keys for a list, as a browser sends a multiple choice.
            data=urlencode(fields, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": (self.host or "") + url,
            },
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            redirected = response.status_code == 302
            if not redirected:
                response.failure(f"{name}: expected a redirect, got {response.status_code}")
        if not redirected:
            raise RuntimeError(f"{name}: expected a redirect, got {response.status_code}")
        return response


class Public(BenchUser):
    @task
    def verify(self) -> None:
        number = secrets.choice(DATA["numbers"])
        self.page(f"/verify/{number}/", "/verify/<number>/")


class Applicant(BenchUser):
    def sign_in(self) -> None:
        self.account = DATA["applicants"][next(_accounts["applicant"]) % len(DATA["applicants"])]
        page = self.page("/portal/sign-in/", "log in (form)")
        self.post_form(
            "/portal/sign-in/",
            page,
            {"username": self.account["email"], "password": self.account["password"]},
            "log in",
        )

    @task(3)
    def home(self) -> None:
        self.page("/portal/", "/portal/")

    @task(2)
    def licences(self) -> None:
        self.page("/portal/licences/", "/portal/licences/")

    @task(2)
    def licence(self) -> None:
        licence = secrets.choice(self.account["licences"])
        self.page(f"/portal/licences/{licence}/", "/portal/licences/<id>/")

    @task(1)
    def drafts(self) -> None:
        self.page("/portal/apply/drafts/", "/portal/apply/drafts/")

    @task(1)
    def save_draft(self) -> None:
        """The activities step of the party's new-licence draft: the first save starts the
        draft, later ones change it (one draft per party, however long the run)."""
        url = f"/portal/apply/{self.account['party']}/activities/"
        page = self.page(url, "/portal/apply/<id>/activities/")
        activities = secrets.choice([["retail"], ["retail", "wholesale"], ["import"]])
        self.post_form(
            url, page, {"activities": activities}, "/portal/apply/<id>/activities/ (save)"
        )


class Officer(BenchUser):
    def sign_in(self) -> None:
        self.account = DATA["officers"][next(_accounts["officer"]) % len(DATA["officers"])]
        page = self.page("/admin/login/?next=/admin/", "log in (form)")
        self.post_form(
            "/admin/login/?next=/admin/",
            page,
            {
                "username": self.account["username"],
                "password": self.account["password"],
                "next": "/admin/",
            },
            "log in",
        )
        step = "/account/two-factor/verify/?next=/admin/"
        page = self.page(step, "second step (form)")
        self.post_form(
            step, page, {"code": totp(self.account["totp_key"]), "next": "/admin/"}, "second step"
        )

    @task(3)
    def licence_list(self) -> None:
        self.page("/admin/licensing/licence/", "/admin/licensing/licence/")

    @task(1)
    def search_by_number(self) -> None:
        number = secrets.choice(DATA["numbers"])
        self.page(f"/admin/licensing/licence/?q={quote(number)}", "licence search (number)")

    @task(1)
    def search_by_name(self) -> None:
        term = secrets.choice(DATA["terms"])
        self.page(f"/admin/licensing/licence/?q={quote(term)}", "licence search (name)")

    @task(2)
    def licence(self) -> None:
        pk = secrets.choice(DATA["licence_ids"])
        self.page(f"/admin/licensing/licence/{pk}/change/", "licence page (admin)")

    @task(1)
    def queue(self) -> None:
        self.page("/admin/licensing/application/", "/admin/licensing/application/")


class Hello(BenchUser):
    @task
    def hello(self) -> None:
        self.page("/bench/hello/", "/bench/hello/")
