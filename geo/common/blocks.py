"""Large inputs worked through in blocks, so that no single C call holds the GIL long.

A call into C (decoding 50 MB of UTF-8, a numpy pass over every byte of a body) runs to its
end without letting another thread in: the event loop answering ``/health`` waits for it
(~0.1 s for 50 MB of Vietnamese text). Between blocks of ``BLOCK`` bytes other threads run.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

#: Bytes per call: ~1-3 ms of decoding or of a numpy pass.
BLOCK = 1 << 20
BACKSLASH = 0x5C


def decode_utf8(data: bytes) -> str:
    """``data.decode("utf-8-sig")``, a block at a time; a UnicodeDecodeError names its
    position in the whole of ``data``, as the one call would."""
    return "".join(_decoded(data))


def check_utf8(data: bytes) -> None:
    """Raise UnicodeDecodeError, as ``decode_utf8`` would, unless ``data`` is UTF-8."""
    for _ in _decoded(data):
        pass


def _decoded(data: bytes) -> Iterator[str]:
    # the BOM dropped by hand: the incremental "utf-8-sig" decoder also drops a partial one
    # (b"\xef") without a word, where one call of it refuses it
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0,
                       len(data), BLOCK):
        pending = len(decoder.getstate()[0])
        try:
            yield decoder.decode(view[start:start + BLOCK], final=start + BLOCK >= len(data))
        except UnicodeDecodeError as exc:
            offset = start - pending
            raise UnicodeDecodeError(exc.encoding, data, exc.start + offset,
                                     exc.end + offset, exc.reason) from None


def escape_safe_blocks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(offset, block)`` of about ``BLOCK`` bytes covering ``data``, each ending with a
    byte that is not a backslash: no escape sequence (``\\"``, ``\\\\``) is split, and the
    next block starts with a byte that nothing escapes."""
    start = 0
    while start < len(data):
        end = min(start + BLOCK, len(data))
        while end < len(data) and data[end - 1] == BACKSLASH:
            end += 1
        yield start, data[start:end]
        start = end
