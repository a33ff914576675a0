"""Read text files whatever their encoding: UTF-8 (with or without BOM), GB18030/GBK, UTF-16.

Chinese centres often export CSV from Excel in GBK; this detects it instead of failing.
"""
from __future__ import annotations

from pathlib import Path

from .errors import InputError

MAX_BYTES = 512 * 1024 * 1024


def read_text_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"{size / 1e6:.0f} MB is larger than the {max_bytes / 1e6:.0f} MB limit; split it")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise InputError(path, "looks like a binary file, not text (CSV, JSON or JSON lines expected)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding:
        return str(best)
    raise InputError(path, "the text encoding is not recognised; save the file as UTF-8 and try again")
