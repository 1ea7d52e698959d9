"""Campaign redirects: turns a short campaign code into a tagged landing-page redirect."""

import hashlib
import json
import logging
import os

import six
from six.moves import urllib

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

CAMPAIGNS = json.loads(os.environ.get("CAMPAIGNS", "{}"))
FALLBACK_URL = os.environ.get("FALLBACK_URL", "https://www.example.com/")
TRACKED_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")


def tag_url(landing, campaign, extra):
    """Adds the campaign's UTM parameters, keeping any query the landing page already has."""
    parts = urllib.parse.urlsplit(landing)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in TRACKED_PARAMS]
    tags = {
        "utm_source": campaign.get("source", "newsletter"),
        "utm_medium": campaign.get("medium", "email"),
        "utm_campaign": campaign["name"],
    }
    if extra.get("variant"):
        tags["utm_content"] = extra["variant"]
    query.extend(sorted(tags.items()))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def visitor_bucket(source_ip, code):
    # A stable, anonymous bucket so A/B variants stay sticky without storing the address.
    digest = hashlib.sha256(six.ensure_binary("%s|%s" % (source_ip, code))).hexdigest()
    return int(digest[:8], 16) % 100


def handler(event, context):
    code = six.ensure_text((event.get("pathParameters") or {}).get("code", "")).lower()
    campaign = CAMPAIGNS.get(code)
    if campaign is None:
        LOGGER.info("unknown campaign code %r", code)
        return {"statusCode": 302, "headers": {"Location": FALLBACK_URL}}

    source_ip = event.get("requestContext", {}).get("identity", {}).get("sourceIp", "")
    extra = {}
    variants = campaign.get("variants") or []
    if variants:
        extra["variant"] = variants[visitor_bucket(source_ip, code) % len(variants)]
    location = tag_url(campaign["landing"], dict(campaign, name=code), extra)
    return {
        "statusCode": 302,
        "headers": {"Location": location, "Cache-Control": "no-store"},
    }
