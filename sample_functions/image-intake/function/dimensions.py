"""Reads the pixel size from an image header without decoding the image."""

import struct


def _png(raw):
    # The IHDR chunk always comes first: width and height are big-endian at bytes 16..24.
    if len(raw) >= 24 and raw[12:16] == b"IHDR":
        return struct.unpack(">II", raw[16:24])
    return None, None


def _gif(raw):
    if len(raw) >= 10:
        return struct.unpack("<HH", raw[6:10])
    return None, None


def _jpeg(raw):
    offset = 2
    while offset + 9 < len(raw):
        if raw[offset] != 0xFF:
            return None, None
        marker = raw[offset + 1]
        length = struct.unpack(">H", raw[offset + 2 : offset + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC are tables, not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", raw[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    return None, None


READERS = {"png": _png, "gif": _gif, "jpeg": _jpeg}


def image_size(kind, raw):
    """(width, height), or (None, None) when the format's header is not understood here."""
    reader = READERS.get(kind)
    return reader(raw) if reader else (None, None)
