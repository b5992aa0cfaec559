from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_migrate

        from licensing.db_roles import grant_after_migrate
        from licensing.gates import register_gate
        from licensing.ratelimit import count_login_failure
        from licensing.services.approve_proposals import proposal_gate
        from licensing.sessions import stamp_login
        from licensing.signing import system_checks  # noqa: F401 (registers the checks)

        # Art. 6.3(g): an approval that would overwrite records changed since the application
        # proposed its change waits for the officer to review it again.
        register_gate("application.approve", proposal_gate)
        # Issue 15: the runtime role's grants follow every migrate (docs/database-roles.md).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="grant_runtime_role")
        # Issue 15: failed log-ins counted per address (password spraying), and the log-in time
        # that staff sessions are measured from (docs/abuse-limits.md).
        user_login_failed.connect(count_login_failure, dispatch_uid="count_login_failure")
        user_logged_in.connect(stamp_login, dispatch_uid="stamp_session_login")
        # Issue 16: the user, permissions and devices cached per request are forgotten on change.
        from licensing import auth_cache

        auth_cache.connect()
