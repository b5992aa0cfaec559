"""``make cluster-test``: the production topology on loopback (issue 21). Not collected by
pytest (no test_ modules): ``python -m tests.cluster`` starts the processes, walks the portal
and the admin across two web nodes, and stops everything it started."""
