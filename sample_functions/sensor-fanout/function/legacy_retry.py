"""Retry helper kept from the 2017 ingest service (generator-based coroutines)."""

import asyncio
import logging
import random

LOGGER = logging.getLogger(__name__)


class TransientError(Exception):
    """A downstream hiccup that is worth retrying."""


@asyncio.coroutine
def with_retries(operation, attempts=3, base_delay=0.05, loop=None):
    """Awaits operation() until it succeeds, backing off with jitter between attempts."""
    for attempt in range(1, attempts + 1):
        try:
            result = yield from operation()
            return result
        except TransientError as exc:
            if attempt == attempts:
                raise
            delay = base_delay * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            LOGGER.warning("attempt %d failed (%s); retrying in %.3fs", attempt, exc, delay)
            yield from asyncio.sleep(delay, loop=loop)
