"""The scripted walk across the cluster (issue 21, *A cluster test on loopback*). Each step goes
through the doors people use (the portal's and the admin's pages on one node or the other) and
then checks what it must have left behind (the row, the object in the bucket, the log line).

Node A and node B are two gunicorn processes with nothing on local disk in common: a file one
of them stored can be served by the other only through the bucket, a session one of them opened
works on the other only through the database and Redis."""

from __future__ import annotations

import io
import re
import signal
import time
from collections.abc import Callable
from typing import Any

from tests.cluster.client import Client, Response
from tests.cluster.processes import BUCKET, Cluster, wait_for

Say = Callable[[str], None]
PASSWORD = "demo-password-2026"


def expect(condition: Any, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def ok(response: Response, what: str) -> Response:
    expect(response.status == 200, f"{what}: HTTP {response.status} at {response.url}")
    return response


def tiny_pdf(text: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_of(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def is_signed(pdf: bytes) -> bool:
    from pypdf import PdfReader

    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    return any(f.get("/FT") == "/Sig" and f.get("/V") for f in fields.values())


# -- signing in --------------------------------------------------------------------------------


def portal_sign_in(client: Client, username: str) -> None:
    page = ok(client.get("/portal/sign-in/"), "the portal's sign-in page")
    home = client.post_form(page, {"username": username, "password": PASSWORD}, match="password")
    expect(home.url.endswith("/portal/"), f"{username} not signed in: ended at {home.url}")


_codes_used: dict[str, str] = {}


def staff_sign_in(client: Client, cluster: Cluster, username: str) -> None:
    """The password, then the second step with the code the demo user's app would show."""
    page = ok(client.get("/admin/login/"), "the admin's sign-in page")
    step = client.post_form(page, {"username": username, "password": PASSWORD}, match="password")
    expect("two-factor/verify" in step.url, f"{username}: no second step ({step.url})")
    # A code is accepted once (django-otp refuses a replay): a second sign-in within the same
    # 30-second step waits for the next code, as a person would.
    code = wait_for(
        lambda: (
            (c := cluster.output_of("demo_code", username, DJANGO_DEBUG="true"))
            != _codes_used.get(username)
            and c
        ),
        timeout=45,
        what=f"a fresh code for {username}",
    )
    _codes_used[username] = code
    index = client.post_form(step, {"code": code}, match="code")
    expect(index.url.endswith("/admin/"), f"{username}: second step refused ({index.url})")


# -- the steps ---------------------------------------------------------------------------------


def health(cluster: Cluster, say: Say) -> None:
    for name in cluster.web_ports:
        probe = Client(cluster.node(name), "balancer")
        ok(probe.get("/healthz"), f"{name} /healthz")
        # The workers' first heartbeat comes a beat interval after the start.
        wait_for(
            lambda probe=probe: probe.get("/readyz").status == 200,  # type: ignore[misc]
            timeout=60,
            what=f"{name} /readyz",
        )
        checks = probe.get("/readyz").json()["checks"]
        metrics = probe.get(
            "/metrics", headers={"Authorization": f"Bearer {cluster.metrics_token}"}
        )
        ok(metrics, f"{name} /metrics")
        expect(
            b"django_http_requests_before_middlewares_total" in metrics.body, f"{name}: no metrics"
        )
        expect(probe.get("/metrics").status == 401, f"{name}: /metrics without the token")
        say(f"{name}: /healthz 200, /readyz 200 ({', '.join(sorted(checks))}), /metrics")


def upload_on_a_download_on_b(cluster: Cluster, say: Say) -> None:
    applicant = Client(cluster.node("web-a"), "applicant")
    portal_sign_in(applicant, "applicant")
    [(public_id, application_pk)] = cluster.query(
        "SELECT public_id::text, id FROM licensing_application WHERE state = %s",
        "information_requested",
    )
    page = ok(applicant.get(f"/portal/cases/{public_id}/reply/"), "the reply page")
    content = tiny_pdf(f"Floor plan for {public_id}")
    done = applicant.post_form(
        page,
        {"answer": "The floor plan of the bonded warehouse is attached."},
        files={"documents": ("floor-plan.pdf", content, "application/pdf")},
        match="answer",
    )
    ok(done, "the reply")
    expect(done.url.endswith(f"/portal/cases/{public_id}/"), f"reply not sent: {done.text[:300]}")
    [(document_pk, name)] = cluster.query(
        "SELECT id, file FROM licensing_document WHERE application_id = %s "
        "AND original_name = 'floor-plan.pdf'",
        application_pk,
    )
    stored = cluster.s3().get_object(Bucket=BUCKET, Key=name)["Body"].read()
    expect(stored == content, "the bucket's object differs from the upload")
    say(f"node A: the applicant replied with floor-plan.pdf; stored in the bucket as {name}")

    officer = Client(cluster.node("web-b"), "officer")
    staff_sign_in(officer, cluster, "officer")
    url = f"/admin/licensing/document/{document_pk}/download/"
    download = officer.get(url)
    if download.headers.get("content-type", "").startswith("text/html"):
        # Art. 5: a role that must state why it reads personal data says so first.
        download = officer.post_form(download, {"purpose": "Reviewing the reply."})
    ok(download, "the officer's download")
    expect(download.body == content, "node B served other bytes than node A stored")
    say("node B: the officer (password and TOTP) downloaded the same bytes")


def print_on_b_download_on_a(cluster: Cluster, say: Say) -> Client:
    holder = Client(cluster.node("web-a"), "holder")
    portal_sign_in(holder, "applicant")
    listing = ok(holder.get("/portal/licences/"), "the holder's licences")
    public_ids = re.findall(r"/portal/licences/([0-9a-f-]{36})/", listing.text)
    expect(public_ids, "the demo applicant holds no licence")
    [(licence_pk, number, versions)] = cluster.query(
        "SELECT l.id, l.number, count(d.id) FROM licensing_licence l "
        "LEFT JOIN licensing_issueddocument d ON d.licence_id = l.id AND d.kind = 'licence' "
        "WHERE l.public_id = %s GROUP BY l.id",
        public_ids[0],
    )
    registrar = Client(cluster.node("web-b"), "registrar")
    staff_sign_in(registrar, cluster, "registrar")
    action = "reprint_licence" if versions else "print_licence"
    page = ok(
        registrar.get(f"/admin/licensing/licence/{licence_pk}/action/{action}/"),
        f"the {action} page",
    )
    values = {"reason": "Cluster walk: printed on node B."} if versions else {}
    done = registrar.post_form(page, values, match="csrfmiddlewaretoken", follow=False)
    expect(done.status == 302, f"the {action} request: HTTP {done.status}")
    request_id = done.headers["x-request-id"]
    licence_path = f"/portal/licences/{public_ids[0]}/licence.pdf"

    def printed() -> Response | None:
        response = holder.get(licence_path)
        new = cluster.query(
            "SELECT count(*) FROM licensing_issueddocument WHERE licence_id = %s "
            "AND kind = 'licence'",
            licence_pk,
        )[0][0]
        return response if response.status == 200 and new > versions else None

    pdf = wait_for(printed, timeout=90, what=f"licence {number} to be printed").body
    expect(pdf.startswith(b"%PDF") and is_signed(pdf), "the holder's licence is not a signed PDF")
    say(
        f"node B: the registrar printed {number} (version {versions + 1}); "
        f"node A: the holder downloaded it, signed ({len(pdf)} bytes)"
    )
    # The print job's log lines carry the id of the request that queued it.
    logs = "".join(cluster.log(n).read_text(errors="replace") for n in ("worker-1", "worker-2"))
    lines = [line for line in logs.splitlines() if request_id in line]
    expect(
        any("print_licence" in line for line in lines),
        f"no worker log line of the print carries the request id {request_id}",
    )
    say(f"the worker's {len(lines)} log lines of that print carry its request id {request_id}")
    return registrar


def start_batch(cluster: Cluster, registrar: Client, ids: list[int], reason: str) -> int:
    """The registrar selects ``ids`` on the licence list, confirms a reprint and starts."""
    listing = ok(registrar.get("/admin/licensing/licence/"), "the licence list")
    confirm = registrar.post_form(
        listing,
        {"action": "print_selected_licences", "_selected_action": [str(i) for i in ids]},
        match="action",
    )
    started = registrar.post_form(
        ok(confirm, "the print confirmation page"),
        {"policy": "reprint", "reason": reason, "_start": "1"},
        match="policy",
    )
    ok(started, "starting the batch")
    [(batch_pk,)] = cluster.query("SELECT max(id) FROM licensing_printbatch")
    return int(batch_pk)


def batch_survives_a_killed_worker(cluster: Cluster, registrar: Client, say: Say) -> None:
    registrar.on(cluster.node("web-a"))  # the session opened on node B works on node A
    ids = [
        pk
        for (pk,) in cluster.query(
            "SELECT id FROM licensing_licence WHERE state = 'active' ORDER BY id LIMIT 24"
        )
    ]
    batch_pk = start_batch(cluster, registrar, ids, "Cluster walk: a worker dies.")
    say(f"node A: the registrar started print batch {batch_pk} of {len(ids)} licences")

    def worker_1_printing() -> bool:
        log = cluster.log("worker-1").read_text(errors="replace")
        done = cluster.query(
            "SELECT count(*) FROM licensing_printbatchitem WHERE batch_id = %s "
            "AND state = 'printed'",
            batch_pk,
        )[0][0]
        return "print_batch_chunk" in log and 0 < done < len(ids) - 4

    wait_for(worker_1_printing, timeout=120, what="worker 1 to be printing the batch")
    cluster.kill("worker-1", signal.SIGKILL)
    [(printed_then,)] = cluster.query(
        "SELECT count(*) FROM licensing_printbatchitem WHERE batch_id = %s AND state = 'printed'",
        batch_pk,
    )
    say(f"worker 1 killed with SIGKILL at {printed_then} of {len(ids)} printed")

    def finished() -> tuple[Any, ...] | None:
        [row] = cluster.query(
            "SELECT state, total, printed_count, failed_count FROM licensing_printbatch "
            "WHERE id = %s",
            batch_pk,
        )
        return row if row[0] in ("finished", "finished_with_failures") else None

    state, total, printed, failed = wait_for(finished, timeout=180, what="the batch to finish")
    expect(
        (state, printed, failed) == ("finished", len(ids), 0),
        f"batch {batch_pk}: {state}, {printed} of {total} printed, {failed} failed",
    )
    twice = cluster.query(
        "SELECT i.licence_id FROM licensing_printbatchitem i "
        "JOIN licensing_issueddocument d ON d.licence_id = i.licence_id AND d.kind = 'licence' "
        "AND d.created_at >= (SELECT created_at FROM licensing_printbatch WHERE id = %s) "
        "WHERE i.batch_id = %s GROUP BY i.licence_id HAVING count(d.id) > 1",
        batch_pk,
        batch_pk,
    )
    expect(not twice, f"licences printed twice by the batch: {twice}")
    registrar.on(cluster.node("web-b"))
    merged = ok(registrar.get(f"/admin/licensing/printbatch/{batch_pk}/pdf/"), "the merged PDF")
    pages = pages_of(merged.body)
    expect(pages >= len(ids), f"the merged PDF has {pages} pages for {len(ids)} licences")
    say(
        f"worker 2 finished it: {printed} printed, none failed, none twice; node B served the "
        f"merged PDF ({pages} pages)"
    )


def scheduled_once(cluster: Cluster, started: float, say: Say) -> None:
    beats = {n: cluster.log(n).read_text(errors="replace") for n in ("beat-1", "beat-2")}
    sending = [n for n, log in beats.items() if "Sending due task" in log]
    expect(len(sending) == 1, f"beats that sent the schedule: {sending or 'none'}")
    logs = "".join(cluster.log(n).read_text(errors="replace") for n in ("worker-1", "worker-2"))
    beats_sent = len(re.findall(r"Sending due task worker-heartbeat", beats[sending[0]]))
    received = set(re.findall(r"record_worker_heartbeat\[([0-9a-f-]{36})\] received", logs))
    elapsed = time.monotonic() - started
    most = elapsed / 2 + 2  # one heartbeat every 2 s (WORKER_HEARTBEAT_EVERY_SECONDS)
    expect(
        0 < len(received) <= beats_sent <= most,
        f"{len(received)} heartbeats run, {beats_sent} sent in {elapsed:.0f} s "
        f"(at most {most:.0f})",
    )
    other = next(n for n in beats if n not in sending)
    say(
        f"{sending[0]} held the lock and sent {beats_sent} heartbeats in {elapsed:.0f} s "
        f"(one each 2 s); {other} sent nothing; the workers ran {len(received)}, none twice"
    )


def nothing_on_local_disks(cluster: Cluster, say: Say) -> None:
    files = cluster.stored_files_on_local_disks()
    expect(not files, f"files on a node's local disk: {files[:5]}")
    count = cluster.s3().list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    say(f"no process wrote a stored file to its own disk; the bucket holds {count} files")
