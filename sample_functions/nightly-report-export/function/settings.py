"""Environment settings for the nightly sales export."""

import os
from distutils.util import strtobool

EXPORT_BUCKET = os.environ.get("EXPORT_BUCKET", "")
EXPORT_PREFIX = os.environ.get("EXPORT_PREFIX", "reports/sales")
# Ops set these to "yes"/"no", "true"/"false" or "1"/"0" in the console, so accept all of them.
INCLUDE_REFUNDS = bool(strtobool(os.environ.get("INCLUDE_REFUNDS", "no")))
DRY_RUN_DEFAULT = bool(strtobool(os.environ.get("DRY_RUN", "no")))
CURRENCY = os.environ.get("REPORT_CURRENCY", "EUR")
