"""Public verification and register, namespace ``verify``: no log-in."""

from django.urls import path

from licensing.verify import views

app_name = "verify"
urlpatterns = [
    path("verify/", views.verify_form, name="form"),
    # Before verify/<number>/: a printed document's code, or a pasted SHA-256.
    path("verify/document/", views.verify_document_form, name="document_form"),
    # Before verify/document/<code>/ ("upload" is never a code: no U in Crockford's base32).
    path("verify/document/upload/", views.verify_document_upload, name="document_upload"),
    path("verify/document/<str:code>/", views.verify_document, name="document"),
    # The QR code on a printed licence points here. ``path``: a legacy number may hold "/"
    # (Art. 9.2, imported registers), e.g. /verify/HU/2019/0042/.
    path("verify/<path:number>.json", views.verify_licence_json, name="licence_json"),
    path("verify/<path:number>/", views.verify_licence, name="licence"),
    path("register/", views.register, name="register"),
]
