"""Reading text files whatever encoding a call centre's tools wrote them in.

Metadata CSVs exported by Excel or a Chinese telephony system are often GBK/GB18030 or
UTF-16, not UTF-8. :func:`read_text_file` reads UTF-8 (with or without BOM), UTF-16/32
with a BOM, GB18030 (and so GBK/GB2312) and what charset-normalizer recognises with
confidence; otherwise it says which file and how to fix it.
"""
from __future__ import annotations

import codecs
import logging
import os
from pathlib import Path

from charset_normalizer import from_bytes

from qa_pipeline.errors import InputError
from qa_pipeline.language import is_chinese_character

log = logging.getLogger(__name__)

__all__ = ["read_text_file", "decode_text", "MAX_BYTES"]

MAX_BYTES = 256 * 1024 * 1024
_FIX = ("save it as UTF-8 (Excel: Save As → 'CSV UTF-8'; or `iconv -f GBK -t UTF-8 in.csv > out.csv`) "
        "and try again")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Binary formats people rename to .csv / .json by mistake.
_MAGIC = ((b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook?)"),
          (b"\xd0\xcf\x11\xe0", "an old Excel .xls / Office file"),
          (b"%PDF", "a PDF"), (b"RIFF", "a WAV recording"), (b"fLaC", "a FLAC recording"),
          (b"ID3", "an MP3 recording"))

# What charset-normalizer may pick when neither UTF-8 nor GB18030 fits: Western Excel exports,
# Big5 (Taiwan, Hong Kong) and BOM-less UTF-16/32. Other single-byte code pages decode almost
# any bytes, so a guess among them would silently garble names: refuse instead.
_FALLBACKS = {"cp1252", "cp1250", "latin_1", "iso8859_15", "big5", "big5hkscs", "cp950"}
_WIDE = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"}  # only with NUL bytes


def _plausible_chinese(text: str) -> bool:
    """Text decoded as GB18030 that reads as Chinese: it has Chinese characters and its other
    non-ASCII characters are punctuation, full-width forms or accented Latin letters."""
    others = [c for c in text if not c.isascii()]
    cjk = sum(is_chinese_character(c) for c in others)
    usual = sum("\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" or "\u00c0" <= c <= "\u00ff"
                or "\u2000" <= c <= "\u206f" for c in others)
    return cjk > 0 and (cjk + usual) >= 0.9 * len(others)


def _gb_or_big5(data: bytes, gb_text: str) -> tuple[str, str]:
    """Big5 (Taiwan, Hong Kong) bytes decode as GB18030 too, to wrong characters: prefer Big5
    only when the bytes are valid Big5 and it reads clearly better (mainland GBK wins ties)."""
    try:
        big5_text = data.decode("big5")
    except UnicodeDecodeError:
        return gb_text, "gb18030"
    chaos = {m.encoding: m.chaos for m in from_bytes(data, cp_isolation=["gb18030", "big5"])}
    if chaos.get("big5", 1.0) < chaos.get("gb18030", 1.0):
        return big5_text, "big5"
    return gb_text, "gb18030"


def decode_text(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """``(text, encoding)`` for ``data``; raises :class:`InputError` naming ``name``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as exc:
                raise InputError(name, f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                                       f"(byte {exc.start}); {_FIX}") from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(name, f"is {what}, not a text file; export it as CSV UTF-8 / JSON and try again")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        # Chinese centres: GB18030 is a superset of GBK and GB2312. Accept it when the result reads
        # as Chinese; Latin-1 text rarely even decodes as GB18030 (an accent before ASCII is invalid).
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _plausible_chinese(text):
            return _gb_or_big5(data, text)
    best = from_bytes(data).best()
    allowed = _FALLBACKS | (_WIDE if b"\x00" in data else set())
    if best is not None and best.encoding in allowed and best.chaos < 0.1:
        return str(best), best.encoding
    if b"\x00" in data[:4096]:
        raise InputError(name, f"looks like a binary file, not text; {_FIX}")
    raise InputError(name, f"is not UTF-8 and its encoding could not be recognised; {_FIX}")


def read_text_file(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> str:
    """The text of ``path``, decoded from UTF-8 (BOM or not), UTF-16/32, GB18030/GBK or what
    charset-normalizer recognises. Raises :class:`InputError` naming the file and the fix."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(p, f"is {size / 1e6:.0f} MB, more than the {max_bytes / 1e6:.0f} MB a text input may be; "
                                "split it into smaller files")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "does not exist; check the path") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a file") from None
    except PermissionError:
        raise InputError(p, "cannot be read (permission denied); check the file's permissions") from None
    except OSError as exc:
        raise InputError(p, f"cannot be read: {exc.strerror or exc}") from None
    text, encoding = decode_text(data, str(p))
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        log.info("%s: read as %s; saving it as UTF-8 avoids guessing", p, encoding)
    return text
