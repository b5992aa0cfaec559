"""The cluster walk's faults (issue 21, *Bad input and faults*): Redis down, then the store down.

Redis is the broker, the cache and beat's lock. While it is down the pages still serve (the
cache answers as empty, sessions and permissions come from PostgreSQL, rate limits let
requests through); work asked for meanwhile is in the database, and the sweeps queue it again
once Redis is back. The store down: an upload fails with the message and saves nothing."""

from __future__ import annotations

import signal

from tests.cluster.client import Client
from tests.cluster.processes import Cluster, wait_for
from tests.cluster.walk import (
    Say,
    expect,
    ok,
    portal_sign_in,
    staff_sign_in,
    start_batch,
    tiny_pdf,
)

QUEUE_DOWN = "The licence could not be queued for printing"
UNREADABLE = "so the file cannot be opened"
STORE_DOWN = "The document store cannot be reached at the moment, so nothing was saved."


def _batch_state(cluster: Cluster, batch_pk: int) -> tuple[str, int, int]:
    [row] = cluster.query(
        "SELECT state, total, printed_count FROM licensing_printbatch WHERE id = %s", batch_pk
    )
    return row[0], row[1], row[2]


def redis_outage(cluster: Cluster, registrar: Client, say: Say) -> None:
    cluster.kill("redis", signal.SIGKILL)
    say("Redis killed with SIGKILL (the broker, the cache, beat's lock; nothing persisted)")

    for name in cluster.web_ports:
        probe = Client(cluster.node(name), "balancer")
        ok(probe.get("/healthz"), f"{name} /healthz with Redis down")
        ready = probe.get("/readyz")
        expect(ready.status == 503, f"{name} /readyz with Redis down: HTTP {ready.status}")
        expect(ready.json()["checks"]["cache"]["state"] == "failing", f"{name}: cache not failing")
    applicant = Client(cluster.node("web-a"), "applicant")
    portal_sign_in(applicant, "applicant")
    ok(applicant.get("/portal/licences/"), "the holder's licences with Redis down")
    registrar.on(cluster.node("web-b"))
    ok(registrar.get("/admin/"), "the admin with Redis down (a session opened before)")
    ids = [
        pk
        for (pk,) in cluster.query(
            "SELECT id FROM licensing_licence WHERE state = 'active' ORDER BY id DESC LIMIT 3"
        )
    ]
    batch_pk = start_batch(cluster, registrar, ids, "Cluster walk: Redis is down.")
    expect(_batch_state(cluster, batch_pk)[0] == "queued", "the batch did not wait in the queue")
    # A single print has no row until it is done (no sweep could find it): the registrar is
    # told at once that nothing was queued.
    [(licence_pk, documents)] = cluster.query(
        "SELECT l.id, count(d.id) FROM licensing_licence l JOIN licensing_issueddocument d "
        "ON d.licence_id = l.id AND d.kind = 'licence' GROUP BY l.id ORDER BY l.id LIMIT 1"
    )
    url = f"/admin/licensing/licence/{licence_pk}/action/reprint_licence/"
    told = registrar.post_form(
        ok(registrar.get(url), "the reprint page, Redis down"),
        {"reason": "Cluster walk: Redis is down."},
        match="reason",
    )
    expect(QUEUE_DOWN in told.text, "no message when the print cannot be queued")
    counted = "SELECT count(*) FROM licensing_issueddocument WHERE licence_id = %s AND kind = %s"
    expect(cluster.query(counted, licence_pk, "licence")[0][0] == documents, "printed anyway")
    say(
        "with Redis down: /healthz 200, /readyz 503 (cache failing) on both nodes; the applicant "
        f"signed in on node A; the registrar's session held on node B, batch {batch_pk} "
        "was saved with its job not sent, and a single reprint was refused with the message"
    )

    cluster.start_redis()
    # A beat that lost Redis for longer than its retry period exits; its supervisor (systemd,
    # the container engine; here this script) starts it again.
    restarted = []
    for name in ("beat-1", "beat-2"):
        if cluster.processes[name].poll() is not None:
            cluster.start(name, cluster.processes[name].args)  # type: ignore[arg-type]
            restarted.append(name)
    _state, total, printed = wait_for(
        lambda: (s := _batch_state(cluster, batch_pk))[0] == "finished" and s,
        timeout=120,
        what=f"batch {batch_pk} to be resumed and finished",
    )
    expect(printed == total == len(ids), f"batch {batch_pk}: {printed} of {total} printed")
    for name in cluster.web_ports:
        probe = Client(cluster.node(name), "balancer")
        wait_for(lambda p=probe: p.get("/readyz").status == 200, timeout=60, what="/readyz")  # type: ignore[misc]
    say(
        f"Redis back (empty): the sweep resumed batch {batch_pk}, {printed} of {total} printed; "
        f"/readyz 200 again; beats restarted by their supervisor: {', '.join(restarted) or 'none'}"
    )


def store_outage(cluster: Cluster, say: Say) -> None:
    [(public_id, application_pk)] = cluster.query(
        "SELECT public_id::text, id FROM licensing_application WHERE state = 'in_review' "
        "AND id IN (SELECT application_id FROM licensing_document "
        "WHERE original_name = 'floor-plan.pdf')"
    )
    officer = Client(cluster.node("web-b"), "officer")
    staff_sign_in(officer, cluster, "officer")
    url = f"/admin/licensing/application/{application_pk}/action/request_information/"
    asked = officer.post_form(
        ok(officer.get(url), "the request-information page"),
        {"question": "Art. 6.3(b)(iii): send the alarm contract as well."},
        match="question",
    )
    ok(asked, "requesting information")

    cluster.kill("s3", signal.SIGKILL)
    applicant = Client(cluster.node("web-a"), "applicant")
    portal_sign_in(applicant, "applicant")
    reply = f"/portal/cases/{public_id}/reply/"
    values = {"answer": "The alarm contract is attached."}
    upload = {"documents": ("alarm-contract.pdf", tiny_pdf("alarm contract"), "application/pdf")}
    refused = applicant.post_form(
        ok(applicant.get(reply), "the reply page"), values, files=upload, match="answer"
    )
    expect(refused.status == 200 and STORE_DOWN in refused.text, "no message with the store down")
    documents = cluster.query(
        "SELECT count(*) FROM licensing_document WHERE original_name = 'alarm-contract.pdf'"
    )[0][0]
    [(state,)] = cluster.query(
        "SELECT state FROM licensing_application WHERE id = %s", application_pk
    )
    expect(documents == 0 and state == "information_requested", "a half-saved reply")
    [(document_pk,)] = cluster.query(
        "SELECT id FROM licensing_document WHERE original_name = 'floor-plan.pdf'"
    )
    download = officer.get(f"/admin/licensing/document/{document_pk}/download/")
    if download.headers.get("content-type", "").startswith("text/html") and download.status == 200:
        download = officer.post_form(download, {"purpose": "Reviewing the reply."})
    expect(
        download.status == 503 and UNREADABLE in download.text,
        f"the officer's download with the store down: HTTP {download.status}",
    )
    ready = Client(cluster.node("web-b"), "balancer").get("/readyz")
    expect(ready.status == 503 and ready.json()["checks"]["storage"]["state"] == "failing",
           "/readyz does not report the store")  # fmt: skip

    cluster.start_store()  # moto keeps nothing: an empty bucket of the same name
    done = applicant.post_form(
        ok(applicant.get(reply), "the reply page"), values, files=upload, match="answer"
    )
    expect(done.url.endswith(f"/portal/cases/{public_id}/"), "the reply after the store is back")
    say(
        "the store killed: the applicant's upload on node A was refused with the message, no "
        "row saved, the request still open; the officer's download on node B answered 503 with "
        "the message; /readyz 503 (storage failing); store back: the same reply went through"
    )
