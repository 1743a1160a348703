"""Large inputs in blocks (no single C call holds the GIL over a whole body): the blocks give
exactly what one call gives, including across block edges, and errors name the same byte."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geo.common import blocks
from geo.common.blocks import check_utf8, decode_utf8, escape_safe_blocks
from geo.common.safejson import _surrogate_escape, nesting_depth

TEXT = "Đồng Văn, Lũng Cú; Bát Xát — 𝔹 \u0300".encode() * 5  # 1- to 4-byte characters


@pytest.fixture()
def tiny_blocks(monkeypatch):
    """Blocks of 7 bytes: every multi-byte character and escape meets a block edge."""
    monkeypatch.setattr(blocks, "BLOCK", 7)


def test_decode_utf8__equals_one_call_across_every_edge(tiny_blocks):
    for size in (7, 11, 13):
        blocks.BLOCK = size
        assert decode_utf8(TEXT) == TEXT.decode("utf-8-sig")
        assert decode_utf8(b"\xef\xbb\xbf" + TEXT) == TEXT.decode()  # the BOM dropped
    assert decode_utf8(b"") == ""


@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80", b"\xe1\xbb"])  # the last: cut off
def test_decode_utf8__an_error_names_the_byte_one_call_names(tiny_blocks, bad):
    for at in (0, 5, 6, 7, 20, len(TEXT)):
        data = TEXT[:at] + bad + TEXT[at:] if bad != b"\xe1\xbb" else TEXT + bad
        with pytest.raises(UnicodeDecodeError) as expected:
            data.decode("utf-8-sig")
        with pytest.raises(UnicodeDecodeError) as got:
            decode_utf8(data)
        with pytest.raises(UnicodeDecodeError) as checked:
            check_utf8(data)
        want = (expected.value.start, expected.value.end, expected.value.reason)
        assert (got.value.start, got.value.end, got.value.reason) == want
        assert (checked.value.start, checked.value.end) == want[:2]


@pytest.mark.parametrize("data", [b"\xef", b"\xef\xbb", b"\xef\xbb\xbf\xff", b"\xef\xbb\xbf\xef"])
def test_decode_utf8__a_partial_bom_is_refused_as_one_call_refuses_it(data):
    with pytest.raises(UnicodeDecodeError) as expected:
        data.decode("utf-8-sig")
    with pytest.raises(UnicodeDecodeError) as got:
        decode_utf8(data)
    assert (got.value.start, got.value.reason) == (expected.value.start + (
        3 if data.startswith(b"\xef\xbb\xbf") else 0), expected.value.reason)


def test_escape_safe_blocks__cover_the_data_and_never_end_on_a_backslash(tiny_blocks):
    data = b'["a\\\\\\"b", "\\\\\\\\\\\\\\\\", "\\u0110\\\\"]' * 3
    parts = list(escape_safe_blocks(data))
    assert b"".join(block for _, block in parts) == data
    assert [offset for offset, _ in parts] == np.cumsum(
        [0] + [len(b) for _, b in parts[:-1]]).tolist()
    assert all(not block.endswith(b"\\") for _, block in parts)
    assert any(len(block) > 7 for _, block in parts)  # a run of backslashes was kept whole


DOCS = [
    b'["[[[[", "]]"]', b'["a\\"[[[[", "\\\\", [2]]', b'{"a":[{"b":[1]}]}',
    b'[["\\\\\\"[", {"k\\"{": [[[]]]}], "]]]\\\\"]',
    json.dumps({"features": [{"id": "x\"[{" * i, "g": [[i] * i]} for i in range(9)]}).encode(),
    b"[" * 40 + b'"' + b"]" * 3 + b'"' + b"]" * 40,
]


@pytest.mark.parametrize("data", DOCS)
def test_nesting_depth__blocks_of_any_size_give_the_depth_of_one_pass(monkeypatch, data):
    monkeypatch.setattr(blocks, "BLOCK", 1 << 20)
    whole = nesting_depth(data)
    for size in (1, 2, 3, 5, 8):
        monkeypatch.setattr(blocks, "BLOCK", size)
        assert nesting_depth(data) == whole
    assert whole == _depth(json.loads(data))  # the decoded document's own depth


def _depth(value) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def test_surrogate_escape__found_across_a_block_edge(monkeypatch):
    data = b'{"id":"abcdefg\\ud800"}'
    for size in (1, 2, 3, 8, 9, 10, 11, 1 << 20):
        monkeypatch.setattr(blocks, "BLOCK", size)
        assert _surrogate_escape(data)
        assert not _surrogate_escape(data.replace(b"d800", b"0110"))
