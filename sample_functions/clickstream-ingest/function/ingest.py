"""Clickstream ingest: decodes Kinesis page-view records and rolls them up per page and minute."""

import base64
import logging
import os
from collections import Counter
from datetime import datetime, timezone

import ujson

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

STATS_TABLE = os.environ.get("STATS_TABLE", "")
REQUIRED = ("page", "session", "ts")
BOT_MARKERS = ("bot", "crawler", "spider", "headless")


def decode(record):
    data = base64.b64decode(record["kinesis"]["data"])
    view = ujson.loads(data)
    missing = [field for field in REQUIRED if field not in view]
    if missing:
        raise ValueError("missing %s" % ", ".join(missing))
    return view


def is_bot(view):
    agent = view.get("ua", "").lower()
    return any(marker in agent for marker in BOT_MARKERS)


def minute_of(ts_millis):
    moment = datetime.fromtimestamp(ts_millis / 1000, timezone.utc)
    return moment.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%MZ")


def write_rollup(rollup):
    import boto3  # from the Lambda runtime; only a live run writes to DynamoDB

    table = boto3.resource("dynamodb").Table(STATS_TABLE)
    with table.batch_writer() as batch:
        for (page, minute), views in rollup.items():
            batch.put_item(Item={"page": page, "minute": minute, "views": views})


def handler(event, context):
    rollup = Counter()
    sessions = set()
    rejected = bots = 0
    for record in event.get("Records", []):
        try:
            view = decode(record)
        except (ValueError, KeyError) as exc:
            rejected += 1
            LOGGER.warning("dropping %s: %s", record.get("eventID"), exc)
            continue
        if is_bot(view):
            bots += 1
            continue
        rollup[(view["page"], minute_of(view["ts"]))] += 1
        sessions.add(view["session"])

    if rollup and STATS_TABLE and not event.get("dryRun"):
        write_rollup(rollup)
    summary = {
        "views": sum(rollup.values()),
        "sessions": len(sessions),
        "bots": bots,
        "rejected": rejected,
        "pages": sorted({page for page, _ in rollup}),
    }
    LOGGER.info("rollup %s", ujson.dumps(summary))
    return summary
