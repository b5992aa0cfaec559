"""Public verification and register, namespace ``verify``: no log-in."""

from django.urls import path

from licensing.verify import views

app_name = "verify"
urlpatterns = [
    path("verify/", views.verify_form, name="form"),
    # Before verify/<number>/: a printed document's code, or a pasted SHA-256.
    path("verify/document/", views.verify_document_form, name="document_form"),
    path("verify/document/<str:code>/", views.verify_document, name="document"),
    # The QR code on a printed licence points here.
    path("verify/<str:number>/", views.verify_licence, name="licence"),
    path("verify/<str:number>.json", views.verify_licence_json, name="licence_json"),
    path("register/", views.register, name="register"),
]
