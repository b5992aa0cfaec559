"""Accounts and the home page (namespace ``portal``). Other parts of the portal rely on these
names: home, login, logout, signup, verify_email, password_reset (and its done, confirm and
complete pages), change_email, language, invite, accept_invitation."""

from django.urls import path

from licensing.portal import accounts, home

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", accounts.LoginView.as_view(), name="login"),
    path("sign-out/", accounts.LogoutView.as_view(), name="logout"),
    path("sign-up/", accounts.SignUpView.as_view(), name="signup"),
    path("sign-up/check-your-email/", accounts.SignUpDoneView.as_view(), name="signup_done"),
    path("verify/<str:token>/", accounts.VerifyEmailView.as_view(), name="verify_email"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/email/", accounts.ChangeEmailView.as_view(), name="change_email"),
    path(
        "account/email/<str:token>/",
        accounts.ConfirmEmailChangeView.as_view(),
        name="confirm_email_change",
    ),
    path("account/language/", accounts.language, name="language"),
    path(
        "account/correspondence/",
        accounts.CorrespondenceLanguageView.as_view(),
        name="correspondence",
    ),
    path("account/invite/", accounts.InviteView.as_view(), name="invite"),
    path(
        "invitations/<str:token>/",
        accounts.AcceptInvitationView.as_view(),
        name="accept_invitation",
    ),
]
