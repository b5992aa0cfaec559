"""Operations (issue 21, docs/operations.md): what an authority running many nodes needs to see
that they are healthy: liveness and readiness, metrics, request ids in the logs and the jobs."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # The request id into and out of Celery's messages; the task metrics.
        from ops import celery_signals  # noqa: F401
