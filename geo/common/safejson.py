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

import numpy as np

from geo.common.errors import InvalidInput

#: Deepest nesting of arrays and objects accepted (a GeoJSON MultiPolygon in a
#: FeatureCollection is 7 deep).
MAX_DEPTH = 32

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _Bad:
    """Stands for a number JSON cannot carry (NaN, ±Infinity, overflow) until it is named."""

    def __init__(self, text: str):
        self.text = text


def nesting_depth(data: bytes) -> int:
    """Deepest nesting of ``[`` / ``{`` in JSON bytes, brackets inside strings not counted
    (vectorised: escapes dropped, then a running parity of quotes marks string bytes)."""
    unescaped = _ESCAPE.sub(b"", data) if b"\\" in data else data
    codes = np.frombuffer(unescaped, dtype=np.uint8)
    in_string = np.logical_xor.accumulate(codes == ord('"')) if len(codes) else codes
    opens = (codes == ord("[")) | (codes == ord("{"))
    closes = (codes == ord("]")) | (codes == ord("}"))
    structural = (opens | closes) & ~in_string
    if not structural.any():
        return 0
    steps = np.where(opens[structural], 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


def loads(data: bytes | str, *, field: str = "body", max_depth: int = MAX_DEPTH) -> object:
    """Parse JSON sent by a caller; see the module docstring for what is refused."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise InvalidInput(f"{field}: JSON nested {depth} levels deep, more than the limit "
                           f"of {max_depth}", field=field)
    try:
        text = raw.decode("utf-8-sig") if isinstance(data, bytes) else data
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

    try:
        doc = json.loads(text, parse_constant=bad_number, parse_float=number)
    except ValueError as exc:
        raise InvalidInput(f"{field}: not valid JSON ({exc})", field=field) from None
    if seen or _SURROGATE_ESCAPE.search(raw):
        _check(doc, "")
    return doc


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
