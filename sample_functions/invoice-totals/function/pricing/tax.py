"""Line and invoice arithmetic, rounded the way the ledger rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)


class InvalidLine(ValueError):
    """A draft line that cannot be priced."""


@dataclass(frozen=True)
class InvoiceLine:
    """One SKU on an invoice draft."""

    sku: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)

    @classmethod
    def from_draft(cls, raw: dict) -> InvoiceLine:
        try:
            line = cls(
                sku=str(raw["sku"]).strip(),
                quantity=int(raw["quantity"]),
                unit_price=Decimal(str(raw["unit_price"])),
                discount_percent=Decimal(str(raw.get("discount_percent", 0))),
            )
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise InvalidLine(f"line {raw!r} is incomplete or malformed") from exc
        if line.quantity <= 0 or line.unit_price < 0:
            raise InvalidLine(f"line {line.sku}: quantity and price must be positive")
        if not 0 <= line.discount_percent <= HUNDRED:
            raise InvalidLine(f"line {line.sku}: discount must be between 0 and 100")
        return line


@dataclass
class PricedInvoice:
    """Totals in the currency's minor-unit precision."""

    lines: list[dict] = field(default_factory=list)
    net: Decimal = Decimal(0)
    vat: Decimal = Decimal(0)

    def as_dict(self) -> dict:
        return {
            "lines": self.lines,
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.net + self.vat),
        }


def price_invoice(lines: list[InvoiceLine], vat_rate: Decimal, minor_units: int) -> PricedInvoice:
    """Rounds each line before summing, as the ledger does, so totals match statements."""
    quantum = Decimal(1).scaleb(-minor_units)
    invoice = PricedInvoice()
    for line in lines:
        gross_line = line.unit_price * line.quantity
        net = (gross_line * (HUNDRED - line.discount_percent) / HUNDRED).quantize(
            quantum, rounding=ROUND_HALF_UP
        )
        vat = (net * vat_rate).quantize(quantum, rounding=ROUND_HALF_UP)
        invoice.lines.append({"sku": line.sku, "net": str(net), "vat": str(vat)})
        invoice.net += net
        invoice.vat += vat
    return invoice
