"""Nightly export: totals yesterday's sales per store and writes them as CSV to S3."""

import csv
import hashlib
import io
import json
import logging
from collections import defaultdict
from decimal import Decimal

import runbook
import settings

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

HEADER = ["store_id", "orders", "gross", "refunds", "net", "currency"]


def summarise(rows):
    totals = defaultdict(lambda: {"orders": 0, "gross": Decimal(0), "refunds": Decimal(0)})
    for row in rows:
        store = totals[row["store_id"]]
        amount = Decimal(str(row["amount"]))
        if row.get("kind") == "refund":
            if settings.INCLUDE_REFUNDS:
                store["refunds"] += amount
            continue
        store["orders"] += 1
        store["gross"] += amount
    return totals


def render_csv(totals):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for store_id in sorted(totals):
        store = totals[store_id]
        net = store["gross"] - store["refunds"]
        writer.writerow(
            [store_id, store["orders"], store["gross"], store["refunds"], net, settings.CURRENCY]
        )
    return buffer.getvalue()


def fetch_rows(report_date):
    # Only reached on a real run; boto3 comes with the Lambda runtime.
    import boto3

    athena_rows = boto3.client("athena")
    raise NotImplementedError("query %s via %r" % (report_date, athena_rows))


def upload(body, key):
    import boto3

    boto3.client("s3").put_object(Bucket=settings.EXPORT_BUCKET, Key=key, Body=body.encode())


def handler(event, context):
    report_date = event["report_date"]
    dry_run = bool(event.get("dry_run", settings.DRY_RUN_DEFAULT))
    rows = event.get("rows") if "rows" in event else fetch_rows(report_date)

    body = render_csv(summarise(rows))
    key = "%s/%s.csv" % (settings.EXPORT_PREFIX, report_date)
    digest = hashlib.sha256(body.encode()).hexdigest()
    if not dry_run:
        upload(body, key)
    LOGGER.info("replay: %s", runbook.replay_command(settings.EXPORT_BUCKET, key, report_date))
    return {
        "key": key,
        "sha256": digest,
        "stores": body.count("\n") - 1,
        "dry_run": dry_run,
        "preview": json.dumps(body.splitlines()[:3]),
    }
