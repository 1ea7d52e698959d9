"""Billing API: prices an invoice draft with the VAT rate of the buyer's country."""

from __future__ import annotations

import logging
import os

from pricing.config import load_rates
from pricing.tax import InvoiceLine, InvalidLine, price_invoice

try:  # ujson is faster when a layer provides it; the stdlib parser gives the same result
    import ujson as json
except ImportError:
    import json

LOGGER = logging.getLogger()
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Loaded once per cold start: the rate table ships inside the deployment package.
RATES = load_rates(os.environ.get("RATES_FILE", "rates.toml"))


def _response(status: int, body: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event: dict, context: object) -> dict:
    """Returns the priced invoice, or 400/422 with the reason the draft was refused."""
    body = event.get("body")
    draft = json.loads(body) if isinstance(body, str) else event

    country = str(draft.get("country", RATES.default_country)).upper()
    currency = str(draft.get("currency", RATES.default_currency)).upper()
    if country not in RATES.vat:
        return _response(422, {"error": f"no VAT rate configured for {country}"})
    if currency not in RATES.minor_units:
        return _response(422, {"error": f"unsupported currency {currency}"})

    try:
        lines = [InvoiceLine.from_draft(raw) for raw in draft.get("lines", [])]
    except InvalidLine as exc:
        return _response(400, {"error": str(exc)})
    if not lines:
        return _response(400, {"error": "an invoice needs at least one line"})

    priced = price_invoice(lines, RATES.vat[country], RATES.minor_units[currency])
    LOGGER.info("priced %d lines for %s in %s", len(lines), country, currency)
    return _response(200, priced.as_dict() | {"country": country, "currency": currency})
