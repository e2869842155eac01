"""Vectorised date parsing to epoch seconds: one column, date + time, parts, compact digits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from .numbers import to_float

NAT = np.iinfo(np.int64).min
IntArray = NDArray[np.int64]
_EPOCH = datetime(1970, 1, 1)
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

# Tried in order on a sample; month-first before day-first (US exports dominate).
DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%y %I:%M %p", "%m/%d/%y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%Y%m%d%H%M", "%Y%m%d%H", "%Y%m%d",
)
_FIXED_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"(?: ?(?:(Z)|([+-])(\d{2}):?(\d{2})))?$"
)
_PAIRS = np.full(1 << 16, -1, dtype=np.int16)
for _hi in range(10):
    for _lo in range(10):
        _PAIRS[(48 + _hi) | ((48 + _lo) << 8)] = 10 * _hi + _lo
_FRACTION = re.compile(r"(:\d{2})\.\d+")
_H24 = re.compile(r"(^|[ T])24:00")
_TIME = r"^\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[aApP])?"


def days_from_civil(y: IntArray, m: IntArray, d: IntArray) -> IntArray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


def civil_from_days(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month, day of days since 1970-01-01."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (m <= 2), m, d


def iso(seconds: int, tz_aware: bool) -> str:
    """ISO-8601 text of epoch seconds; `Z` when the file's times were zoned."""
    text = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return text + "Z" if tz_aware else text


def compose(y: IntArray, m: IntArray, d: IntArray, secs: IntArray) -> IntArray:
    """Epoch seconds from parts; NAT where a part is out of range (hour 24 rolls over)."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (secs >= 0) & (secs <= 86400)
    m_safe = np.where(ok, m, 1)
    ok &= d <= _MONTH_DAYS[m_safe]
    out = days_from_civil(y, m_safe, d) * 86400 + secs
    return np.where(ok, out, NAT)


def _python_parse(fmt: str, text: str) -> bool:
    text = _FRACTION.sub(r"\1", text)
    if _H24.search(text):
        text = _H24.sub(r"\g<1>00:00", text)
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def guess_format(sample: list[str], prefer_day_first: bool = False) -> tuple[str | None, float]:
    """The format parsing most of the non-empty sample, and the share it parses."""
    values = [v.strip() for v in sample if v and v.strip()][:200]
    if not values:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    formats: tuple[str, ...] = DATE_FORMATS
    if prefer_day_first:
        formats = tuple(f for f in formats if f.startswith("%d")) + formats
    for fmt in formats:
        if not all(_python_parse(fmt, v) for v in values[:3]):
            continue
        share = sum(_python_parse(fmt, v) for v in values) / len(values)
        if share > best[1]:
            best = (fmt, share)
            if share == 1.0:
                break
    return best


def _string_array(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return pc.cast(arr, pa.string())


def _to_seconds(ts: pa.Array) -> IntArray:
    """Timestamps (any unit) as epoch seconds with NAT for nulls."""
    secs = pc.cast(pc.cast(ts, pa.timestamp("s", tz=ts.type.tz), safe=False), pa.int64())
    return np.asarray(secs.fill_null(NAT).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass(frozen=True)
class FixedIso:
    """Byte positions of an ISO timestamp layout of fixed width (fast path)."""

    width: int
    literals: tuple[tuple[int, int], ...]
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    sign: int | None = None

    @staticmethod
    def from_sample(value: str) -> FixedIso | None:
        match = _FIXED_ISO.match(value)
        if match is None or not value.isascii():
            return None
        names = ("Y", "M", "D", "h", "m", "s", "Z", "sign", "oh", "om")
        fields = {n: match.span(i + 1) for i, n in enumerate(names) if match.group(i + 1)}
        sign = fields.pop("sign")[0] if "sign" in fields else None
        digit_pos = {p for n, (a, b) in fields.items() if n != "Z" for p in range(a, b)}
        literals = tuple((p, ord(c)) for p, c in enumerate(value)
                         if p not in digit_pos and p != sign and not c.isdigit())
        return FixedIso(len(value), literals, fields, sign)

    def parse(self, arr: pa.Array) -> IntArray | None:
        """Epoch seconds, or None when a row does not share the layout."""
        if arr.null_count or not pa.types.is_string(arr.type) or len(arr) == 0:
            return None
        n, width = len(arr), self.width
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + n + 1]
        if not (np.diff(offsets) == width).all():
            return None
        data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        base = int(offsets[0])

        def column(pos: int, dtype: str) -> NDArray[np.generic]:
            """Byte(s) at `pos` of every row, as a strided view (no copy)."""
            return np.ndarray((n,), dtype, data, offset=base + pos, strides=(width,))

        if any((column(p, "u1") != c).any() for p, c in self.literals):
            return None
        col: dict[str, IntArray] = {}
        for name_, (a, b) in self.fields.items():
            if name_ == "Z":
                continue
            # Two ASCII digits read as one little-endian uint16 index a 100-entry table.
            pairs = [_PAIRS[column(p, "<u2")] for p in range(a, b, 2)]
            value = pairs[0] if len(pairs) == 1 else pairs[0] * 100 + pairs[1]
            if (pairs[-1] < 0).any() or (pairs[0] < 0).any():
                return None
            col[name_] = value.astype(np.int64)
        zero = np.zeros(n, dtype=np.int64)
        secs = col.get("h", zero) * 3600 + col.get("m", zero) * 60 + col.get("s", zero)
        out = compose(col["Y"], col["M"], col["D"], secs)
        if self.sign is not None:
            signs = column(self.sign, "u1")
            if not ((signs == 43) | (signs == 45)).all():
                return None
            shift = col.get("oh", zero) * 3600 + col.get("om", zero) * 60
            out = np.where(out == NAT, NAT, out - np.where(signs == 45, -shift, shift))
        return out


def parse_strings(arr: pa.Array, fmt: str, fixed: FixedIso | None) -> IntArray:
    """Epoch seconds of a text column in a known format (fast fixed-width path first)."""
    arr = _string_array(arr)
    if fixed is not None:
        out = fixed.parse(arr)
        if out is not None:
            return out
    text = pc.utf8_trim_whitespace(arr)
    text = pc.replace_substring_regex(text, r"(:\d{2})\.\d+", r"\1")
    h24 = pc.fill_null(pc.match_substring_regex(text, _H24.pattern), False)
    text = pc.replace_substring_regex(text, _H24.pattern, r"\1" + "00:00")
    ts = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    secs = _to_seconds(ts)
    bump = np.asarray(h24.to_numpy(zero_copy_only=False), dtype=bool) & (secs != NAT)
    return np.where(bump, secs + 86400, secs)


def parse_time_of_day(arr: pa.Array) -> IntArray:
    """Seconds after midnight of `HH:MM[:SS] [a|p]` text or numeric hours / HHMM."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        v = to_float(arr)
        ok = np.isfinite(v)
        vi = np.where(ok, v, 0).astype(np.int64)
        secs = np.where(vi <= 24, vi * 3600, (vi // 100) * 3600 + (vi % 100) * 60)
        return np.where(ok, secs, NAT)
    parts = pc.extract_regex(arr, _TIME)
    h = to_float(parts.field("h"))
    m = to_float(parts.field("m"))
    s = np.nan_to_num(to_float(parts.field("s")), nan=0.0)
    ap = pc.utf8_lower(parts.field("ap")).fill_null("")
    ap_np = np.asarray(ap.to_numpy(zero_copy_only=False), dtype=object)
    ok = np.isfinite(h) & np.isfinite(m)
    hi = np.where(ok, h, 0).astype(np.int64)
    pm, am = ap_np == "p", ap_np == "a"
    hi = np.where(pm & (hi < 12), hi + 12, np.where(am & (hi == 12), 0, hi))
    return np.where(ok, hi * 3600 + m.astype(np.int64, copy=False) * 60
                    + s.astype(np.int64), NAT)


def parse_compact_numbers(arr: pa.Array) -> IntArray:
    """Epoch seconds of YYYYMMDD, YYYYMMDDHH or YYYYMMDDHHMM numbers."""
    v = to_float(arr)
    ok = np.isfinite(v)
    vi = np.where(ok, v, 0).astype(np.int64)
    digits = np.where(vi > 0, np.floor(np.log10(np.maximum(vi, 1))).astype(np.int64) + 1, 0)
    hhmm = np.where(digits == 12, vi % 10000, np.where(digits == 10, (vi % 100) * 100, 0))
    date = np.where(digits == 12, vi // 10000, np.where(digits == 10, vi // 100, vi))
    secs = (hhmm // 100) * 3600 + (hhmm % 100) * 60
    out = compose(date // 10000, (date // 100) % 100, date % 100, secs)
    return np.where(ok & np.isin(digits, [8, 10, 12]), out, NAT)


def parse_parts(year: pa.Array, month: pa.Array, day: pa.Array,
                hour: pa.Array | None, minute: pa.Array | None) -> IntArray:
    """Epoch seconds from year/month/day[/hour[/minute]] columns (hour 24 = next midnight)."""
    cols = [to_float(a) for a in (year, month, day)]
    h = to_float(hour) if hour is not None else np.zeros(len(year))
    mi = to_float(minute) if minute is not None else np.zeros(len(year))
    mi = np.where(np.isfinite(mi) & (mi < 60), mi, 0)
    ok = np.isfinite(cols[0]) & np.isfinite(cols[1]) & np.isfinite(cols[2]) & np.isfinite(h)
    y, m, d, hh = (np.where(ok, c, 0).astype(np.int64) for c in (*cols, h))
    out = compose(y, m, d, hh * 3600 + mi.astype(np.int64) * 60)
    return np.where(ok, out, NAT)


def timestamps_to_seconds(arr: pa.Array) -> IntArray:
    """Epoch seconds of an already typed timestamp/date column."""
    if pa.types.is_date(arr.type):
        arr = pc.cast(arr, pa.timestamp("s"))
    return _to_seconds(arr)
