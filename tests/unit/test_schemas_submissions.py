"""Submission normalisation (API, {bucket, key}, S3 notifications) and file sniffing."""

from __future__ import annotations

import io
import zipfile

import pytest

from schemas import InvalidEvent, JobSubmitted
from schemas.filetype import FileKind, extension, object_key, sniff
from schemas.submissions import normalise_submission


def _s3_record(key: str, event: str = "ObjectCreated:Put") -> dict[str, object]:
    return {"eventSource": "aws:s3", "eventName": event, "eventTime": "2024-05-01T00:00:00.000Z",
            "s3": {"bucket": {"name": "landing"}, "object": {"key": key, "size": 12}}}


def test_api_event_passes_through() -> None:
    event = JobSubmitted.new(bucket="b", key="uploads/a.csv", source="api")
    assert normalise_submission(event.to_dict()) == [event]


def test_bucket_key_event() -> None:
    [sub] = normalise_submission({"bucket": "landing", "key": "in/delhi.csv"})
    assert (sub.bucket, sub.key, sub.filename, sub.source, sub.job_id) == (
        "landing", "in/delhi.csv", "delhi.csv", "external", None)


def test_s3_notification_records_are_url_decoded_and_filtered() -> None:
    subs = normalise_submission({"Records": [
        _s3_record("in/my+file%281%29.csv"),
        _s3_record("in/gone.csv", "ObjectRemoved:Delete"),
    ]})
    assert [(s.key, s.source, s.size) for s in subs] == [
        ("in/my file(1).csv", "s3-notification", 12)]
    assert subs[0].submitted_at == "2024-05-01T00:00:00.000Z"


def test_single_record_and_test_event() -> None:
    assert len(normalise_submission(_s3_record("a.csv"))) == 1
    assert normalise_submission({"Event": "s3:TestEvent", "Bucket": "landing"}) == []


@pytest.mark.parametrize("data", [
    {"hello": 1}, {"bucket": "", "key": "k"}, {"bucket": 3, "key": "k"},
    {"Records": "nope"}, {"Records": [{"s3": {"bucket": {}, "object": {}}}]}, "text",
])
def test_invalid_submissions(data: object) -> None:
    with pytest.raises(InvalidEvent):
        normalise_submission(data)


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def test_sniffing_by_content() -> None:
    assert sniff(b"date,temp\n2024-01-01,3\n") is FileKind.TEXT
    assert sniff("température;humidité\n".encode("cp1252")) is FileKind.TEXT
    assert sniff(_xlsx_bytes()) is FileKind.XLSX
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) is FileKind.XLS
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert sniff(other_zip.getvalue()) is None
    assert sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR") is None
    assert sniff(b"") is None


def test_extension_and_key() -> None:
    assert extension(FileKind.TEXT, "x.TXT") == ".txt"
    assert extension(FileKind.TEXT, "x.csv") == ".csv"
    assert extension(FileKind.TEXT, None) == ".csv"
    assert extension(FileKind.XLS, "report.csv") == ".xls"
    assert object_key("ab", ".csv") == "uploads/ab.csv"
