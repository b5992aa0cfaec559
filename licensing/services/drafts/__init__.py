"""Filing a licence application through the portal, step by step (Art. 6.3(b)).

How a new draft comes into being. ``create_application`` needs the activities (Art. 6.1, 6.2)
at creation, and the applicant may not exist yet. So the first steps of a first filing (type of
applicant and identity, Art. 6.3(b)(i)-(ii), with tax registrations, affiliates, directors and
legal representatives) live on the **Party**: ``create_party`` makes it and lets the filing user
act for it (``licensing.act_for_party``). The **Application** is created when the activities step
is first saved (``save_activities``); every later step belongs to it. Until then the filing is "a
party without an application", and the portal's draft list shows such parties too. A party has
at most one new-licence draft at a time: a second start for the same party resumes it.

What a draft enters is a proposal until an officer approves it (Art. 6.3(g), 9; see
``licensing.models.versions``). A party first filed here is a proposal as a whole until its
first approval, so its steps write its records directly. A party the authority has approved
changes only through an application: its steps need the draft, and write proposals
(``licensing.services.proposals``) that approval makes current.

Renewal, transfer and change drafts are created by ``create_application(kind=..., licence=...)``
elsewhere; the same steps then propose changes of the existing party, and the sites step offers
the licence's sites until the draft has its own.

Every function here is keyword-only, checks that ``by`` acts for the party and that the
application is still a draft, saves inside one transaction and writes an audit event. The audit
trail names the step and how many records it touched, never personal values (Art. 5).

Nothing is deleted (Art. 9.5(a)). "Removing" a tax registration, bank account, corporate
affiliation or market declaration ends it (``ended_at``); a director's role ends
(``active_until``); a site or product is unlinked from the draft.

The steps are grouped by what they write: ``party`` (identity, tax numbers, affiliates),
``people`` (directors, criminal records), ``sites`` (sites, capacity, products, machines,
markets), ``money`` (bank accounts), ``filing`` (activities, documents, submission)."""

from licensing.services.draft_checks import Problem, draft_problems
from licensing.services.drafts.filing import (
    DraftIncomplete,
    save_activities,
    submit_draft,
    upload_document,
)
from licensing.services.drafts.money import save_bank_accounts
from licensing.services.drafts.party import (
    create_party,
    save_affiliates,
    save_tax_registrations,
    update_party,
)
from licensing.services.drafts.people import save_criminal_declarations, save_persons
from licensing.services.drafts.sites import save_application_rows

__all__ = [
    "DraftIncomplete",
    "Problem",
    "create_party",
    "draft_problems",
    "save_activities",
    "save_affiliates",
    "save_application_rows",
    "save_bank_accounts",
    "save_criminal_declarations",
    "save_persons",
    "save_tax_registrations",
    "submit_draft",
    "update_party",
    "upload_document",
]
