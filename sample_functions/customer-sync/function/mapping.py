"""Field mapping between the shop's customer model and the CRM contact."""

from __future__ import annotations

import re
from datetime import date

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
TIERS = {"bronze": "STANDARD", "silver": "STANDARD", "gold": "PRIORITY", "platinum": "PRIORITY"}


class MappingError(ValueError):
    """The shop record cannot become a CRM contact."""


def _phone(raw: str | None) -> str | None:
    if not raw:
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits.removeprefix("00")
    return digits or None


def to_contact(change: dict) -> dict:
    customer = change["customer"]
    email = customer.get("email", "").strip().lower()
    if not EMAIL.match(email):
        raise MappingError(f"customer {customer.get('id')} has no usable email")
    since = date.fromisoformat(customer["created"][:10])
    return {
        "externalId": f"shop-{customer['id']}",
        "email": email,
        "firstName": customer.get("first_name", "").strip().title(),
        "lastName": customer.get("last_name", "").strip().title(),
        "phone": _phone(customer.get("phone")),
        "serviceLevel": TIERS.get(customer.get("tier", "bronze"), "STANDARD"),
        "customerSince": since.isoformat(),
        "marketingOptIn": bool(customer.get("accepts_marketing")),
        "operation": "DELETE" if change.get("type") == "customer.deleted" else "UPSERT",
    }
