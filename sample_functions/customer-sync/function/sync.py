"""CRM sync: maps customer change events from the shop onto the CRM's contact records."""

from __future__ import annotations

import json
import logging
import os

from mapping import MappingError, to_contact

LOGGER = logging.getLogger()
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

CRM_QUEUE_URL = os.environ.get("CRM_QUEUE_URL", "")


def forward(contacts: list[dict]) -> None:
    import boto3  # part of the Lambda runtime; the dry run never gets here

    sqs = boto3.client("sqs")
    for start in range(0, len(contacts), 10):
        batch = contacts[start : start + 10]
        sqs.send_message_batch(
            QueueUrl=CRM_QUEUE_URL,
            Entries=[{"Id": str(i), "MessageBody": json.dumps(c)} for i, c in enumerate(batch)],
        )


def handler(event: dict, context: object) -> dict:
    """Maps every SQS record; bad records are reported back for a partial batch retry."""
    contacts: list[dict] = []
    failures: list[dict] = []
    for record in event.get("Records", []):
        try:
            change = json.loads(record["body"])
            contacts.append(to_contact(change))
        except (ValueError, KeyError, MappingError) as exc:
            LOGGER.warning("record %s rejected: %s", record.get("messageId"), exc)
            failures.append({"itemIdentifier": record.get("messageId", "")})

    if contacts and not event.get("dryRun"):
        forward(contacts)
    LOGGER.info("mapped %d contacts, %d failures", len(contacts), len(failures))
    return {"batchItemFailures": failures, "mapped": contacts if event.get("dryRun") else len(contacts)}
