"""The network view in the admin (Art. 6.3(d), 7.4): a party's shared identifiers drawn as an
SVG on the server, with the same links in a table. Open to staff who hold
``duediligence.view_network`` and may see the party (``licensing.selectors.visible_parties``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from duediligence.models import LicenseeReport
from duediligence.network import party_network, table_rows
from licensing.models import Application, Party
from licensing.selectors import visible_parties


def may_see_network(user: Any, party_id: int) -> bool:
    return bool(user.has_perm("duediligence.view_network")) and (
        visible_parties(user).filter(pk=party_id).exists()
    )


def network_url(party_id: int) -> str:
    return reverse("admin:duediligence_network", args=[party_id])


def network_panel(request: HttpRequest, obj: Any) -> str:
    """A link from a party's or an application's page, for those who may open it."""
    party_id = obj.party_id if isinstance(obj, Application) else obj.pk
    if not may_see_network(request.user, party_id):
        return ""
    return format_html(
        '<div class="module"><h2>{}</h2><p><a href="{}">{}</a></p></div>',
        _("Network"),
        network_url(party_id),
        _("Persons, accounts, addresses and numbers shared with other parties"),
    )


def network_view(request: HttpRequest, party_id: int) -> HttpResponse:
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise Http404
    if not may_see_network(request.user, party.pk):
        raise PermissionDenied
    # Depth 2 on request: the parties linked to the linked parties (still capped).
    depth = 2 if request.GET.get("depth") == "2" else 1
    network = party_network(party, depth=depth)
    context = {
        **admin.site.each_context(request),
        "title": _("Network of %(party)s") % {"party": party},
        "party": party,
        "party_url": reverse("admin:licensing_party_change", args=[party.pk]),
        "network": network,
        "rows": table_rows(network.linked),
        "second_rows": table_rows(network.second),
        "other_depth_url": network_url(party.pk) + ("" if depth == 2 else "?depth=2"),
        "report_opts": LicenseeReport._meta,
    }
    return render(request, "admin/duediligence/network.html", context)
