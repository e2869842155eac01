"""The streaming multipart splitter, fed in every possible chunking."""

from __future__ import annotations

import os

import pytest

from ingest_api.multipart import MultipartError, MultipartSplitter


def _body(boundary: bytes, parts: list[tuple[bytes, bytes]]) -> bytes:
    out = b"preamble\r\n"
    for headers, data in parts:
        out += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--" + boundary + b"--\r\nepilogue"


def _split(body: bytes, boundary: bytes, size: int) -> list[tuple[str, object]]:
    splitter = MultipartSplitter(boundary)
    events: list[tuple[str, object]] = []
    for i in range(0, len(body), size):
        events.extend(splitter.feed(body[i:i + size]))
    splitter.finish()
    merged: list[tuple[str, object]] = []
    for kind, value in events:  # join data pieces for comparison
        if kind == "data" and merged and merged[-1][0] == "data":
            merged[-1] = ("data", merged[-1][1] + value)  # type: ignore[operator]
        else:
            merged.append((kind, value))
    return merged


@pytest.mark.parametrize("size", [1, 2, 3, 7, 41, 64, 1000, 1 << 20])
def test_parts_survive_any_chunking(size: int) -> None:
    boundary = b"----x1y2"
    tricky = b"a\r\n--" + boundary[:-1] + b"\r\n-\r\n--" + b"z" * 10  # near-delimiters
    payload = os.urandom(3000) + tricky
    body = _body(boundary, [
        (b'Content-Disposition: form-data; name="note"', b"hello"),
        (b'Content-Disposition: form-data; name="file"; filename="a.csv"\r\n'
         b"Content-Type: text/csv", payload),
        (b'Content-Disposition: form-data; name="empty"', b""),
    ])
    events = _split(body, boundary, size)
    assert [k for k, _ in events] == ["headers", "data", "end", "headers", "data", "end",
                                      "headers", "end"]
    assert events[1] == ("data", b"hello")
    assert events[4] == ("data", payload)
    headers = events[3][1]
    assert isinstance(headers, dict)
    assert headers[b"content-type"] == b"text/csv"
    assert b'filename="a.csv"' in headers[b"content-disposition"]


def test_truncated_and_malformed_bodies_are_rejected() -> None:
    splitter = MultipartSplitter(b"b")
    splitter.feed(b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc")
    with pytest.raises(MultipartError):
        splitter.finish()
    with pytest.raises(MultipartError):
        MultipartSplitter(b"b").feed(b"--b\r\nno colon here\r\n\r\nx\r\n--b--")
    with pytest.raises(MultipartError):
        MultipartSplitter(b"b").feed(b"--bXX")
    with pytest.raises(MultipartError):
        MultipartSplitter(b"")
