"""Reading JSON that callers send, so that whatever it holds can be echoed back as JSON.

``loads`` refuses, as ``InvalidInput`` (422) naming the place in the document:

- nesting deeper than ``MAX_DEPTH`` arrays/objects, measured on the raw bytes *before*
  parsing (so the parser never recurses deeply: no ``RecursionError``);
- text that is not UTF-8 (field ``body``);
- ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large for a float (``1e400``), which
  have no JSON representation to echo;
- strings (values or keys) holding a lone UTF-16 surrogate (``"\\ud800"``), which cannot be
  encoded as UTF-8.

Places are named as a path from the document's root: ``features[3].id``, ``times[1]``,
``person``. The document itself is parsed by the standard library's C decoder; the
(slower) walk that names a place runs only when a bad value was seen.
"""

from __future__ import annotations

import json
import math
import re
from contextlib import nullcontext

import numpy as np

from geo.common import blocks
from geo.common.blocks import decode_utf8, escape_safe_blocks
from geo.common.errors import InvalidInput
from geo.common.heap import collector_paused

#: Deepest nesting of arrays and objects accepted (a GeoJSON MultiPolygon in a
#: FeatureCollection is 7 deep).
MAX_DEPTH = 32

#: Documents longer than this (characters) are decoded with the cycle collector paused.
PAUSE_ABOVE = 64 * 1024
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _Bad:
    """Stands for a number JSON cannot carry (NaN, ±Infinity, overflow) until it is named."""

    def __init__(self, text: str):
        self.text = text


def nesting_depth(data: bytes) -> int:
    """Deepest nesting of ``[`` / ``{`` in JSON bytes, brackets inside strings not counted
    (vectorised, a block at a time: escapes dropped, then a running parity of quotes marks
    string bytes, carried from block to block with the depth)."""
    deepest, depth, in_string = 0, 0, False
    for _, block in escape_safe_blocks(data):
        unescaped = _ESCAPE.sub(b"", block) if b"\\" in block else block
        codes = np.frombuffer(unescaped, dtype=np.uint8)
        if not len(codes):
            continue
        inside = np.logical_xor.accumulate(codes == ord('"')) ^ in_string
        in_string = bool(inside[-1])
        opens = (codes == ord("[")) | (codes == ord("{"))
        closes = (codes == ord("]")) | (codes == ord("}"))
        structural = (opens | closes) & ~inside
        if structural.any():
            levels = depth + np.cumsum(np.where(opens[structural], 1, -1).astype(np.int32))
            deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
    return deepest


def _surrogate_escape(data: bytes) -> bool:
    """Whether the bytes hold ``\\ud800``-``\\udfff`` (searched a block at a time, each
    overlapping the next by the pattern's length)."""
    size = blocks.BLOCK
    return any(_SURROGATE_ESCAPE.search(data, start, start + size + 4)
               for start in range(0, len(data), size))


def loads(data: bytes | str, *, field: str = "body", max_depth: int = MAX_DEPTH) -> object:
    """Parse JSON sent by a caller; see the module docstring for what is refused."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise InvalidInput(f"{field}: JSON nested {depth} levels deep, more than the limit "
                           f"of {max_depth}", field=field)
    try:
        text = decode_utf8(raw) if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{field}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                           field=field) from None
    seen: list[_Bad] = []

    def bad_number(text: str) -> object:
        seen.append(_Bad(text))
        return seen[-1]

    def number(text: str) -> object:
        value = float(text)
        return value if math.isfinite(value) else bad_number(text)

    # Each hook is a Python call, between which other threads take the GIL: the C decoder
    # alone holds it for a whole document (~0.5 s for a maximal batch body).
    def integer(text: str) -> int:
        return int(text)

    def pairs(items: list) -> dict:
        return dict(items)

    try:
        # a decoded document holds no cycles: no collector passes over it (geo.common.heap)
        with collector_paused() if len(text) > PAUSE_ABOVE else nullcontext():
            doc = json.loads(text, parse_constant=bad_number, parse_float=number,
                             parse_int=integer, object_pairs_hook=pairs)
    except ValueError as exc:
        raise InvalidInput(f"{field}: not valid JSON ({exc})", field=field) from None
    if seen or _surrogate_escape(raw):
        _check(doc, "")
    return doc


def let_go(doc: object) -> None:
    """Free a decoded document a container at a time. Dropping the last reference to a
    large one frees it all in one cascade that holds the GIL (~0.25 s for a 50 MB body of
    half a million features); here other threads run between containers. For a document
    no one else holds: its lists and dicts are emptied."""
    stack = [doc]
    del doc
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(value.values())
            value.clear()
        elif type(value) is list:
            stack.extend(value)
            value.clear()


def _check(value: object, path: str) -> None:
    """Raise for the first bad number or unencodable string, naming its path."""
    if isinstance(value, _Bad):
        raise InvalidInput(f"{path or 'body'}: {value.text} is not a finite number",
                           field=path or "body")
    if isinstance(value, str):
        _encodable(value, path or "body")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _encodable(key, f"{path}: key" if path else "body: key")
            _check(item, f"{path}.{key}" if path else key)


def _encodable(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{path}: invalid unicode (a lone surrogate "
                           f"\\u{ord(text[exc.start]):04x}; not UTF-8 encodable)",
                           field=path) from None
