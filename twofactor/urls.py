"""Second-factor pages (namespace ``twofactor``) and the passkey endpoints (namespace
``otp_webauthn``, the names django-otp-webauthn's template tags reverse)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from twofactor import views, webauthn

passkey_patterns = (
    [
        path(
            "registration/begin/",
            webauthn.BeginRegistration.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            webauthn.CompleteRegistration.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            webauthn.BeginAuthentication.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            webauthn.CompleteAuthentication.as_view(),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)

app_name = "twofactor"

urlpatterns = [
    path("", views.devices, name="devices"),
    path("verify/", views.verify, name="verify"),
    path("set-up/", views.enrol, name="enrol"),
    path("remove/", views.remove, name="remove"),
    path("recovery-codes/", views.regenerate, name="regenerate"),
]
