"""Placeholder: pg_trgm name search and the pages' indexes (issue 16, helper D)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("licensing", "0029_job_indexes")]

    operations: list[migrations.operations.base.Operation] = []
