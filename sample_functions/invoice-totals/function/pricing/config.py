"""Reads the VAT and currency table shipped with the function."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # tomllib is new in 3.11; tomli is the same parser, vendored for older runtimes
    import tomli as tomllib

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RateTable:
    """VAT rate per country and number of minor units per currency."""

    default_country: str
    default_currency: str
    vat: dict[str, Decimal]
    minor_units: dict[str, int]


def load_rates(file_name: str) -> RateTable:
    """Parses the TOML rate table; rates stay Decimal so no float rounding creeps in."""
    with (PACKAGE_ROOT / file_name).open("rb") as handle:
        table = tomllib.load(handle)
    return RateTable(
        default_country=table["default_country"],
        default_currency=table["default_currency"],
        vat={country: Decimal(rate) for country, rate in table["vat"].items()},
        minor_units={code: int(units) for code, units in table["currencies"].items()},
    )
