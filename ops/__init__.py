"""Operations (issue 21, docs/operations.md): what an authority running many nodes needs to see
that they are healthy: liveness and readiness, metrics, request ids in the logs and the jobs."""
