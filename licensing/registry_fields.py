"""The registry's messages in its own field names: Reg. (EU) 2018/574 Annex II, Chapter II,
Section 1 (messages 1-1 to 1-6 here; 1-7 to 1-9 in ``equipment.identifiers``). The values are
taken from the records as the authority approved them (Art. 6.3(g), 9). Where our records do
not hold what a field asks for, the field says so with its "not present" value (docs/
identifiers.md, *Assumptions*). Every message also carries the code it is about, so that an
export is complete without a look-up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from licensing.models.identifiers import MessageType
from licensing.models.parties import Party, TaxRegistration
from licensing.models.sites import Site, SiteKind

# The order of the columns of an export: every field any message of types 1-1 to 1-9 has.
EXPORT_FIELDS = (
    "Message_Type",
    "EO_ID",
    "EO_Name1",
    "EO_Name2",
    "EO_Address",
    "EO_CountryReg",
    "EO_Email",
    "VAT_R",
    "VAT_N",
    "TAX_N",
    "EO_ExciseNumber1",
    "OtherEOID_R",
    "F_ID",
    "F_Address",
    "F_Country",
    "F_Type",
    "F_Type_Other",
    "F_Status",
    "M_ID",
    "M_Producer",
    "M_Model",
    "M_Number",
    "M_Capacity",
    "Reg_3",
)

# Annex II 1.4, F_Type: 1 manufacturing site including warehouse, 2 standalone warehouse,
# 3 retail outlet, 4 other.
F_TYPE = {
    SiteKind.MANUFACTURING: 1,
    SiteKind.WAREHOUSE: 2,
    SiteKind.RETAIL: 3,
}


def one_line(text: str) -> str:
    """An address of several lines as the registry's one text: street, postal code, city."""
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def tax_fields(party: Party, taxes: Iterable[TaxRegistration]) -> dict[str, Any]:
    """VAT_R, VAT_N, TAX_N (Annex II 1.1). The tax registration of the party's own country is
    taken as its VAT number (VAT_R = 1); without one, VAT_R = 0 and TAX_N is its first tax
    registration number, else its business registration number."""
    current = [tax for tax in taxes if tax.ended_at is None]
    home = next((tax for tax in current if str(tax.country) == str(party.country)), None)
    if home is not None:
        return {"VAT_R": 1, "VAT_N": home.number, "TAX_N": ""}
    other = current[0].number if current else party.registration_number
    return {"VAT_R": 0, "VAT_N": "", "TAX_N": other}


def operator_fields(
    message_type: str, *, code: str, party: Party | None, taxes: Iterable[TaxRegistration]
) -> dict[str, Any]:
    """Messages 1-1 (request) and 1-2 (correction) carry the operator's particulars; 1-3
    (deregistration) only its code."""
    fields: dict[str, Any] = {"Message_Type": message_type, "EO_ID": code}
    if message_type == MessageType.EO_DEREGISTRATION or party is None:
        return {**fields, "Reg_3": 0}
    address = party.headquarters_address or party.principal_place_of_business or party.address
    return {
        **fields,
        "EO_Name1": party.legal_name,
        "EO_Name2": party.trade_name,
        "EO_Address": one_line(address),
        "EO_CountryReg": str(party.country),
        "EO_Email": party.email,
        **tax_fields(party, taxes),
        # The authority licenses; excise numbers are the customs' register, not ours.
        "EO_ExciseNumber1": 0,
        "OtherEOID_R": 0,
        # Art. 14(3): not registered by a third party; the authority issues it itself.
        "Reg_3": 0,
    }


def site_address(site: Site) -> str:
    parts = [site.street_address, f"{site.postal_code} {site.municipality}".strip(), site.region]
    return ", ".join(part for part in parts if part)


def facility_fields(
    message_type: str, *, code: str, operator: str, site: Site | None
) -> dict[str, Any]:
    """Messages 1-4 (request) and 1-5 (correction) carry the facility's address and type; 1-6
    (deregistration) only the codes."""
    fields: dict[str, Any] = {"Message_Type": message_type, "EO_ID": operator, "F_ID": code}
    if message_type == MessageType.F_DEREGISTRATION or site is None:
        return {**fields, "Reg_3": 0}
    kind = F_TYPE.get(SiteKind(site.kind), 4) if site.kind else 4
    return {
        **fields,
        "F_Address": site_address(site),
        "F_Country": str(site.country),
        "F_Type": kind,
        "F_Type_Other": site.kind if kind == 4 else "",
        # Tax warehouse status: not a fact of the licence register (docs/identifiers.md).
        "F_Status": 0,
        "Reg_3": 0,
    }


def export_row(payload: dict[str, Any]) -> list[Any]:
    """A message's fields in ``EXPORT_FIELDS`` order, "" where the message has none."""
    return [payload.get(name, "") for name in EXPORT_FIELDS]
