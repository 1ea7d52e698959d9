"""Listing photos: checks an uploaded image and files it under a content-addressed key."""

import base64
import hashlib
import imghdr
import json
import logging
import os

from dimensions import image_size

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

UPLOAD_BUCKET = os.environ.get("UPLOAD_BUCKET", "")
MAX_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
ALLOWED = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
MAX_SIDE = 8000


def _reply(status, **body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}


def store(key, raw, content_type):
    import boto3  # provided by the Lambda runtime; only needed for a real upload

    boto3.client("s3").put_object(
        Bucket=UPLOAD_BUCKET, Key=key, Body=raw, ContentType=content_type
    )


def handler(event, context):
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("latin-1")
    if not raw:
        return _reply(400, error="empty upload")
    if len(raw) > MAX_BYTES:
        return _reply(413, error="image larger than %d bytes" % MAX_BYTES)

    # Trust the bytes, not the client's Content-Type header.
    kind = imghdr.what(None, h=raw)
    if kind not in ALLOWED:
        return _reply(415, error="unsupported image type", detected=kind)

    width, height = image_size(kind, raw)
    if width and height and max(width, height) > MAX_SIDE:
        return _reply(422, error="image is %dx%d, the limit is %d px" % (width, height, MAX_SIDE))

    listing = (event.get("pathParameters") or {}).get("listingId", "unassigned")
    digest = hashlib.sha256(raw).hexdigest()
    key = "listings/%s/%s.%s" % (listing, digest[:20], "jpg" if kind == "jpeg" else kind)
    if (event.get("queryStringParameters") or {}).get("dryRun") != "true":
        store(key, raw, ALLOWED[kind])
    LOGGER.info("accepted %s %dx%d for listing %s", kind, width or 0, height or 0, listing)
    return _reply(201, key=key, type=ALLOWED[kind], width=width, height=height, bytes=len(raw))
