"""Greenhouse telemetry: calibrates a batch of sensor readings and fans them out per site."""

import asyncio
import json
import logging
import os

from calibration import calibrate
from legacy_retry import TransientError, with_retries

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

WORKERS = int(os.environ.get("FANOUT_WORKERS", "4"))


class SitePublisher:
    """Collects the readings for each site; a real run sends them to the site's topic."""

    def __init__(self, dry_run):
        self.dry_run = dry_run
        self.sent = {}

    async def publish(self, site, reading):
        if not self.dry_run:
            raise TransientError("live publishing is only wired in the production account")
        self.sent.setdefault(site, []).append(reading)
        return True


async def worker(queue, publisher, stats, loop):
    while True:
        reading = await queue.get()
        try:
            corrected = calibrate(reading)
            if corrected is None:
                stats["rejected"] += 1
                continue

            async def send():
                return await publisher.publish(reading["site"], corrected)

            await with_retries(send, loop=loop)
            stats["published"] += 1
            await asyncio.sleep(0, loop=loop)  # let the other workers take a turn
        finally:
            queue.task_done()


async def fan_out(readings, publisher, loop):
    queue = asyncio.Queue(maxsize=WORKERS * 8, loop=loop)
    stats = {"published": 0, "rejected": 0}
    workers = [loop.create_task(worker(queue, publisher, stats, loop)) for _ in range(WORKERS)]
    for reading in readings:
        await queue.put(reading)
    await queue.join()
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, loop=loop, return_exceptions=True)
    return stats


def handler(event, context):
    readings = event.get("readings", [])
    publisher = SitePublisher(dry_run=bool(event.get("dry_run", True)))
    loop = asyncio.new_event_loop()
    try:
        stats = loop.run_until_complete(fan_out(readings, publisher, loop))
    finally:
        loop.close()
    LOGGER.info("fan-out finished: %s", json.dumps(stats))
    return {"stats": stats, "sites": {site: len(rows) for site, rows in publisher.sent.items()}}
