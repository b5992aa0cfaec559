"""The licensing authority's core: project wiring and the licensing domain (Art. 6)."""

from licensing.celery import app as celery_app

__all__ = ("celery_app",)
