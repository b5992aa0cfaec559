"""The demo's story lines: which party does what, and when (days before the build date).

Together they leave applications in every state and of every kind, and licences in every
state, with licences expiring within 30, 60 and 90 days and one expired within its grace."""

from __future__ import annotations

from django.apps import apps as django_apps
from django.conf import settings

from licensing.demo.world import Story, World, file_application, new_licence, parties_story, pay
from licensing.services import applications as apps
from licensing.services import licences as lic


def stories(w: World) -> list[Story]:
    """Days are counted back from the build date; the term is LICENCE_TERM_DAYS (730)."""
    term = settings.LICENCE_TERM_DAYS
    return [
        parties_story(w),
        # Active licences expiring within 30, 60 and 90 days, and with years to go.
        new_licence(w, "nordlys", "nordlys", ["import", "wholesale"], issued_ago=term - 20),
        new_licence(w, "fjord", "fjord", ["manufacture_products", "export"], issued_ago=term - 50),
        new_licence(
            w,
            "alfold",
            "alfold",
            ["growing"],
            issued_ago=term - 80,
            ask="Please send the land registry extract for the fields listed.",
        ),
        tisza_story(w, term),
        new_licence(w, "baltyk", "baltyk", ["distribution", "transport"], issued_ago=300),
        renewed_story(w, term),
        expired_story(w, term),
        suspended_story(w),
        revoked_story(w),
        transferred_story(w),
        surrendered_and_refused_story(w),
        withdrawn_story(w),
        information_requested_story(w),
        pending_transfer_story(w),
        submitted_story(w),
        linked_story(w),
        # The apps above the core add their own (the core imports neither; DESIGN.md).
        *[
            story
            for config in django_apps.get_app_configs()
            if callable(getattr(config, "demo_stories", None))
            for story in config.demo_stories(w)  # type: ignore[attr-defined]
        ],
    ]


def tisza_story(w: World, term: int) -> Story:
    yield from new_licence(w, "tisza", "tisza", ["manufacture_products"], issued_ago=400)
    licence = w.licences["tisza"]
    yield 210  # Art. 6.3(g): a change notified in advance, approved: export and a warehouse
    change = file_application(
        w,
        "tisza",
        "change",
        ["manufacture_products", "export"],
        licence=licence,
        change="Export to Serbia and Romania from the new Kiskundorozsma warehouse.",
    )
    yield 205
    apps.start_review(application_id=change.pk, by=w.officer)
    yield 200
    pay(w, change)
    yield 195
    apps.approve_application(application_id=change.pk, by=w.officer)
    yield 12  # a second change, now in review
    second = file_application(
        w,
        "tisza",
        "change",
        ["manufacture_products", "export"],
        licence=licence,
        change="New director: Tóth Judit replaces Nagy Balázs from the first of next month.",
    )
    yield 8
    apps.start_review(application_id=second.pk, by=w.officer)


def renewed_story(w: World, term: int) -> Story:
    yield from new_licence(w, "gota", "gota", ["manufacture_products"], issued_ago=term + 15)
    yield 60
    renewal = file_application(
        w, "gota", "renewal", ["manufacture_products"], licence=w.licences["gota"]
    )
    yield 55
    apps.start_review(application_id=renewal.pk, by=w.officer)
    yield 40
    pay(w, renewal)
    yield 25
    apps.approve_application(application_id=renewal.pk, by=w.officer)


def expired_story(w: World, term: int) -> Story:
    yield from new_licence(w, "solberg", "solberg", ["retail"], issued_ago=term + 30)
    yield 30  # the nightly job, on the expiry date
    lic.expire_licence(licence_id=w.licences["solberg"].pk)
    yield 3  # within the grace period the holder starts a renewal
    file_application(
        w, "solberg", "renewal", ["retail"], licence=w.licences["solberg"], submit=False
    )


def suspended_story(w: World) -> Story:
    yield from new_licence(w, "duna", "duna", ["warehousing", "transport"], issued_ago=350)
    licence = w.licences["duna"]
    yield 40
    lic.suspend_licence(
        licence_id=licence.pk,
        by=w.officer,
        ground="inspection",
        reason="Art. 6.3(a): inspection found 1.2 million cigarettes without tax stamps in "
        "bay 7; suspended until the stock records are reconciled.",
    )
    yield 10
    lic.propose_revocation(
        licence_id=licence.pk,
        by=w.officer,
        ground="records",
        reason="Stock records not reconciled within 30 days; repeated breach of Art. 6.3(a).",
    )


def revoked_story(w: World) -> Story:
    yield from new_licence(w, "wisla", "wisla", ["import", "export"], issued_ago=600)
    licence = w.licences["wisla"]
    yield 120
    lic.suspend_licence(
        licence_id=licence.pk,
        by=w.officer,
        ground="offence",
        reason="Customs reported 14 containers declared as cut rag that held finished cigarettes.",
    )
    yield 70
    lic.propose_revocation(
        licence_id=licence.pk,
        by=w.officer,
        ground="offence",
        reason="Art. 14.1: false declarations to customs; the holder gave no satisfactory "
        "explanation within the time allowed.",
    )
    yield 66
    lic.confirm_revocation(licence_id=licence.pk, by=w.senior2)


def transferred_story(w: World) -> Story:
    yield from new_licence(
        w, "rheinland", "rheinland", ["wholesale", "distribution"], issued_ago=500
    )
    yield 130  # Art. 6.4: the proposed licensee applies with its own full information
    elbe = w.parties["elbe"]
    transfer = file_application(
        w,
        "elbe",
        "transfer",
        ["wholesale", "distribution"],
        licence=w.licences["rheinland"],
        sites=list(elbe.sites.filter(municipality="Köln")),
    )
    yield 125
    apps.start_review(application_id=transfer.pk, by=w.officer)
    yield 120
    pay(w, transfer)
    yield 110
    apps.propose_decision(
        application_id=transfer.pk,
        by=w.officer,
        action="approve_transfer",
        reason="Elbe Tabakhandel takes over the Köln warehouse and staff; due diligence clear.",
    )
    yield 95
    apps.approve_application(application_id=transfer.pk, by=w.senior)


def surrendered_and_refused_story(w: World) -> Story:
    yield from new_licence(w, "nyberg", "nyberg", ["brokering"], issued_ago=420)
    yield 45
    lic.surrender_licence(
        licence_id=w.licences["nyberg"].pk,
        by=w.officer,
        reason="Letter from the holder of 2 October: brokering business closed.",
    )
    yield 30
    refused = file_application(w, "nyberg", "new", ["import"])
    yield 28
    apps.start_review(application_id=refused.pk, by=w.officer)
    yield 20
    apps.propose_decision(
        application_id=refused.pk,
        by=w.officer,
        action="refuse",
        ground="criminal_record",
        reason="Art. 6.3(b)(vi): the declared conviction concerns the same trade; the "
        "applicant did not show how a repetition is prevented.",
    )
    yield 18
    apps.confirm_refusal(application_id=refused.pk, by=w.senior)


def withdrawn_story(w: World) -> Story:
    yield 60  # withdrawn after submission
    withdrawn = file_application(w, "nordlys", "new", ["distribution"])
    yield 50
    apps.withdraw_application(
        application_id=withdrawn.pk, by=w.officer, reason="Applicant's e-mail: plans postponed."
    )
    yield 40  # a draft withdrawn (entered by mistake)
    draft = file_application(w, "kovacs", "new", ["retail"], submit=False)
    yield 39
    apps.withdraw_application(application_id=draft.pk, by=w.officer, reason="Duplicate entry.")


def information_requested_story(w: World) -> Story:
    yield 20  # information requested, still open
    warehouses = list(w.parties["fjord"].sites.filter(kind="warehouse"))
    asked = file_application(w, "fjord", "new", ["warehousing"], sites=warehouses)
    yield 15
    apps.start_review(application_id=asked.pk, by=w.officer)
    yield 10
    apps.request_information(
        application_id=asked.pk,
        by=w.officer,
        question="Art. 6.3(b)(iii): send the floor plan of the bonded warehouse and its "
        "security arrangements.",
    )


def pending_transfer_story(w: World) -> Story:
    yield from new_licence(w, "baltyk-warehouse", "baltyk", ["warehousing"], issued_ago=200)
    yield 15  # a transfer in review, proposed, waiting for a senior officer
    transfer = file_application(
        w,
        "elbe",
        "transfer",
        ["warehousing"],
        licence=w.licences["baltyk-warehouse"],
        sites=list(w.parties["elbe"].sites.filter(municipality="Hamburg")),
    )
    yield 12
    apps.start_review(application_id=transfer.pk, by=w.officer)
    yield 10
    pay(w, transfer)
    yield 6
    apps.propose_decision(
        application_id=transfer.pk,
        by=w.officer,
        action="approve_transfer",
        reason="Bałtyk sells its warehousing line to Elbe Tabakhandel; due diligence clear.",
    )


def submitted_story(w: World) -> Story:
    """The officer's demo: one application paid and ready, one waiting for its fee."""
    yield 5  # a renewal submitted, fee not yet paid
    fjord = w.licences["fjord"]
    file_application(w, "fjord", "renewal", ["manufacture_products", "export"], licence=fjord)
    yield 4  # a new application, fee paid, for the officer to take to an issued licence
    ready = file_application(w, "kovacs", "new", ["retail"])
    yield 2
    pay(w, ready)


def linked_story(w: World) -> Story:
    """Due diligence's demo (Art. 6.3(d)): a new applicant whose director directs the holder of
    a revoked licence. Submitted and paid; its review flags the link for the officer."""
    yield 3
    application = file_application(w, "oder", "new", ["import", "wholesale"])
    yield 1
    pay(w, application)
