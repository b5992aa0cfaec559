"""``python -m tests.cluster`` (``make cluster-test``): start the cluster, walk it, stop it.

Needs PostgreSQL (``DATABASE_URL``'s server: the run makes and drops a database of its own,
``licensing_cluster_<pid>``) and Debian's ``redis-server`` (a private one on a free port, which the
walk stops and starts again). Prints each step with the seconds since the start; on a failure,
the end of every process's log. ``CLUSTER_KEEP=1`` keeps the work folder and its logs."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.cluster import faults, walk
from tests.cluster.processes import BIN, BUCKET, DATABASE, SERVE, Cluster, answers, wait_for


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("make cluster-test needs PostgreSQL: DATABASE_URL=postgres://user@host:port/db")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="licensing-cluster-"))
    cluster = Cluster(workdir, database_url)
    began = time.monotonic()

    def say(text: str) -> None:
        print(f"==> [{time.monotonic() - began:5.1f} s] {text}", flush=True)

    failed = False
    try:
        run(cluster, say)
        say("cluster test passed")
    except Exception:
        failed = True
        print("\nCLUSTER TEST FAILED\n" + traceback.format_exc(), flush=True)
        for name in cluster.processes:
            tail = cluster.log(name).read_text(errors="replace")[-2500:]
            print(f"\n--- the end of {name}'s log ---\n{tail}", flush=True)
    finally:
        cluster.stop()
        say(f"stopped the {len(cluster.processes)} processes it started")
        try:
            cluster.drop_database()
        except Exception as error:  # the server itself may be gone
            print(f"could not drop {DATABASE}: {error}")
        if os.environ.get("CLUSTER_KEEP"):
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


def run(cluster: Cluster, say: walk.Say) -> None:
    cluster.create_database()
    cluster.start_redis()
    cluster.start_store()
    say(
        f"PostgreSQL database {DATABASE}; Redis on port {cluster.redis_port}; "
        f"S3 (moto's server) on port {cluster.s3_port}, private bucket {BUCKET}"
    )
    cluster.run("migrate", [str(SERVE), "migrate"])
    cluster.manage(
        "demo-key", "demo_signing_key", DJANGO_DEBUG="true", DJANGO_VAR_DIR=str(cluster.workdir)
    )
    cluster.manage("load-demo", "load_demo", "--force")
    say("scripts/serve migrate; the demo data loaded, its files written to the bucket")

    for name, port in cluster.web_ports.items():
        multiproc = cluster.folder(f"metrics-{name}")
        cluster.start(
            name,
            [str(SERVE), "web"],
            WEB_BIND=f"127.0.0.1:{port}",
            PROMETHEUS_MULTIPROC_DIR=str(multiproc),
        )
    for number in (1, 2):
        cluster.start(
            f"worker-{number}", [str(SERVE), "worker"], WORKER_NAME=f"worker{number}@cluster"
        )
    schedule_began = time.monotonic()
    for number in (1, 2):
        cluster.start(f"beat-{number}", [str(SERVE), "beat"])
    for name, port in cluster.web_ports.items():
        wait_for(lambda port=port: answers(port), timeout=60, what=f"{name} to listen")
    say(
        "started by scripts/serve: web-a and web-b (gunicorn, 2 workers x 2 threads each), "
        "worker-1 and worker-2 (Celery), beat-1 and beat-2"
    )

    walk.health(cluster, say)
    walk.upload_on_a_download_on_b(cluster, say)
    registrar = walk.print_on_b_download_on_a(cluster, say)
    walk.batch_survives_a_killed_worker(cluster, registrar, say)
    walk.scheduled_once(cluster, schedule_began, say)
    walk.nothing_on_local_disks(cluster, say)  # before the store's outage empties the bucket
    faults.redis_outage(cluster, registrar, say)
    faults.store_outage(cluster, say)


if __name__ == "__main__":
    if not (BIN / "gunicorn").exists():
        print("the virtualenv has no gunicorn: run `make install` first")
        sys.exit(2)
    sys.exit(main())
