"""django-oauth-toolkit registers its own models in the admin. Partner authorities are managed
through ``PartnerClient`` only (one door: its service creates and revokes the OAuth2
application), so those pages are taken away."""

from django.contrib import admin


def hide_oauth_models() -> None:
    from oauth2_provider.models import (
        get_access_token_model,
        get_application_model,
        get_grant_model,
        get_id_token_model,
        get_refresh_token_model,
    )

    for getter in (
        get_application_model,
        get_access_token_model,
        get_grant_model,
        get_id_token_model,
        get_refresh_token_model,
    ):
        model = getter()
        if admin.site.is_registered(model):
            admin.site.unregister(model)
