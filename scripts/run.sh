#!/usr/bin/env bash
# `make run`: migrate, load the demo, then the web server and one Celery worker with the
# embedded beat (only one beat may ever run). Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
URL="http://$HOST:$PORT/admin/"
# Links in e-mails and on printed documents (QR codes) point at this server.
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://$HOST:$PORT}

$PY manage.py migrate --noinput
$PY manage.py load_demo
# The demo authority's signing certificate (var/signing/, made once): every document the demo
# issues is signed with it (README, *Signed documents*).
$PY manage.py demo_signing_key

pids=()
stop() {
    trap - INT TERM EXIT
    if [[ ${#pids[@]} -gt 0 ]]; then
        echo
        echo "Stopping web server and Celery worker..."
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap stop EXIT
trap 'exit 0' INT  # Ctrl-C is how one stops it: not an error
trap 'exit 143' TERM

# Beat's first run of an interval job comes one interval after the start: on a laptop the
# reminders run every 20 seconds and the chasers every minute, so the demo's due licences get
# theirs within a minute of the command (each reminder is still sent once: a row per threshold).
export EXPIRY_REMINDERS_EVERY_SECONDS=${EXPIRY_REMINDERS_EVERY_SECONDS:-20}
export INFORMATION_CHASERS_EVERY_SECONDS=${INFORMATION_CHASERS_EVERY_SECONDS:-60}

$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)
# One worker with the embedded beat (-B): a second beat would run periodic tasks twice. As root
# (a fresh Debian machine), Celery warns about running as the superuser: on a laptop's demo
# with the JSON serializer that is expected, and the warning would read as an error.
PYTHONWARNINGS="ignore:You're running the worker with superuser privileges" \
    .venv/bin/celery -A licensing worker -B --loglevel=INFO &
pids+=($!)

# Print the banner once the web server answers, so it is not lost in the start-up output.
for _ in $(seq 1 60); do
    if $PY -c "import urllib.request as u; u.urlopen('${URL}login/', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.5
done
$PY - "$URL" <<'PYTHON'
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings")
django.setup()
from django.conf import settings  # noqa: E402
from licensing.demo.users import DEMO_USERS, demo_password  # noqa: E402
from returns.demo import HUNGARIAN_USERNAME  # noqa: E402
from cooperation.demo import CARRIER_USERNAME  # noqa: E402
from twofactor.demo import demo_secret  # noqa: E402
from api.demo import DEMO_CLIENT_ID, DEMO_PARTNER_NAME, demo_client_secret  # noqa: E402

admin = sys.argv[1]
portal = admin.removesuffix("admin/") + "portal/"
print(f"\n  Officers: {admin}   Applicants: {portal}")
print(f"  Password for every demo login: {demo_password()}\n")
print("  Staff also pass a second step: add the TOTP secret to an authenticator app, or run")
print("  `.venv/bin/python manage.py demo_code <username>` for the code of the moment.\n")
for user in DEMO_USERS:
    where = "admin" if user.staff or user.superuser else f"portal ({user.email})"
    secret = f"TOTP {demo_secret(user.username)}" if user.staff or user.superuser else ""
    print(f"    {user.username:<13} {user.group or 'superuser':<16} {where:<34} {secret}")
# Made by load_demo through demo_loaded (returns/demo.py): Alföldi's returns, in Hungarian.
hu = f"portal ({HUNGARIAN_USERNAME}@authority.example)"
print(f"    {HUNGARIAN_USERNAME:<13} {'applicant':<16} {hu:<34}")
# Made by load_demo through demo_loaded (cooperation/demo.py): a carrier with a transit notice.
pl = f"portal ({CARRIER_USERNAME}@authority.example)"
print(f"    {CARRIER_USERNAME:<13} {'applicant':<16} {pl:<34}")
# Made by load_demo through demo_loaded (api/demo.py): a partner authority of the API.
api = admin.removesuffix("admin/") + "api/v1/"
print(f"\n  API for other authorities: {api}  (reference: {api}schema/reference/)")
print(f"    partner {DEMO_PARTNER_NAME}, every scope: client id {DEMO_CLIENT_ID}")
print(f"    client secret {demo_client_secret()}  (README, *The API*: the three curl calls)")
# Made by `manage.py demo_signing_key` above: every document the demo issues is signed with it.
root = settings.DOCUMENT_SIGNING_TRUST_ROOTS[0] if settings.DOCUMENT_SIGNING_TRUST_ROOTS else ""
print(f"\n  Documents are signed by the demo authority; trust its root in a PDF reader: {root}")
print("    (README, *Signed documents*); check a PDF file at /verify/document/")
print(
    "\n  Expiry reminders (Art. 6.3(f)) go out within a minute for the demo licences due:"
    "\n  the e-mails are printed below (console mail backend, lines 'Subject: Licence ..."
    " expires on ...'),\n  and the officers' dashboard at the admin's home page counts them."
)
print("\n  Web server, Celery worker and beat are running; Ctrl-C stops them.\n", flush=True)
PYTHON

# Whichever process ends first (or Ctrl-C) ends the others.
wait -n "${pids[@]}"
