"""Data the case and licensee tests share: applications driven through the real services, so
that their audit trail is the one an applicant would see."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from licensing.services import applications as app_services
from tests.factories import PDF_BYTES


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name: str = "lease.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def filed_application(*, party: Any, applicant: Any, officer: Any, question: str = "") -> Any:
    """A new application submitted by ``applicant``, taken into review by ``officer`` and, when
    ``question`` is given, with an information request open."""
    application = app_services.create_application(
        party=party, kind="new", activities=["import"], by=applicant
    )
    app_services.accept_declaration(application_id=application.pk, by=applicant)
    app_services.submit_application(application_id=application.pk, by=applicant)
    app_services.start_review(application_id=application.pk, by=officer)
    if question:
        app_services.request_information(
            application_id=application.pk, by=officer, question=question
        )
    application.refresh_from_db()
    return application
