"""Per-sensor calibration offsets and plausibility limits."""

OFFSETS = {
    "temperature": -0.4,
    "humidity": 1.5,
    "co2": -12.0,
}

LIMITS = {
    "temperature": (-40.0, 85.0),
    "humidity": (0.0, 100.0),
    "co2": (250.0, 10000.0),
}


def calibrate(reading):
    """Returns the corrected reading, or None when it is outside the sensor's range."""
    kind = reading["kind"]
    value = float(reading["value"]) + OFFSETS.get(kind, 0.0)
    low, high = LIMITS.get(kind, (float("-inf"), float("inf")))
    if not low <= value <= high:
        return None
    return dict(reading, value=round(value, 2), calibrated=True)
