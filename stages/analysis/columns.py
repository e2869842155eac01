"""Which columns hold the date, the temperature and the humidity, and in which units."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .dates import FixedIso, guess_format
from .errors import COLUMN_NOT_FOUND, INVALID_OPTION, NO_TEMPERATURE_COLUMN, AnalysisError
from .numbers import NULL_TOKENS

_TEMP_HINT = ("temp", "tmp", "tavg", "drybulb", "tttu", "tmk", "t2m", "tair")
_TEMP_REJECT = ("dew", "dwp", "wetbulb", "apparent", "feels", "heatindex", "chill", "inside",
                "indoor", "soil", "water", "sst", "flag", "qn", "quality", "max", "min",
                "high", "low", "departure", "normal", "std", "range", "heating", "cooling",
                "index", "anomaly", "source", "uncert", "degreedays")
_HUM_REJECT = ("inside", "indoor", "specific", "absolute", "max", "min", "high", "low",
               "flag", "qn", "quality", "source", "uncert", "dew")
_REJECT_WORDS = {"in", "hi", "lo", "wet"}
_DATE_NAMES = {"date", "time", "datetime", "formatteddate", "datetimelst", "valid", "timehour",
               "messdatum", "dateandtime", "timestamp", "dt", "observationtime", "obstime",
               "localtime", "dateutc", "datetimeutc", "day", "period"}
_UNIT_F = re.compile(r"°\s*f\b|\(f\)|\[f\]|\bdeg\s*f\b|degf|fahrenheit|\bf\)|^tmpf$|^temperaturef$"
                     r"|^tempf$|[_ ]f$", re.I)
_UNIT_C = re.compile(r"°\s*c\b|\(c\)|\[c\]|\bdeg\s*c\b|degc|celsius|\bc\)|^tmpc$|^temperaturec$"
                     r"|^tempc$|^tt_tu$|^tmk$|[_ ]c$", re.I)
_UNIT_K = re.compile(r"\(k\)|\[k\]|kelvin|°\s*k\b", re.I)
_UNIT_TENTHS = re.compile(r"tenths|0\.1\s*°?\s*c", re.I)
_UNITS = ("C", "F", "K", "0.1C")


def words(name: str) -> list[str]:
    """Lower-case words of a header, splitting camelCase (HourlyDryBulbTemperature)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return re.findall(r"[a-z]+|\d+", spaced.lower())


def compact(name: str) -> str:
    """Letters and digits only, lower case."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _bare(name: str) -> str:
    """The name without a unit in brackets or after a dash (`Temp - °F`)."""
    name = re.sub(r"\(.*?\)|\[.*?\]", " ", name)
    name = re.sub(r"\s-\s.*$", " ", name)
    return compact(name.replace("°", " "))


def _rejected(name: str, bad: Sequence[str]) -> bool:
    c, ws = compact(name), words(_strip_unit(name))
    # "In Temp", "Temp In", "Hi Temp": a leading or trailing qualifier, not "Temperature in C".
    return any(b in c for b in bad) or bool(ws and {ws[0], ws[-1]} & _REJECT_WORDS)


def _strip_unit(name: str) -> str:
    return re.sub(r"\(.*?\)|\[.*?\]|\s-\s.*$", " ", name)


def _missing(values: Sequence[str]) -> bool:
    return all(v.strip() in NULL_TOKENS for v in values)


def temperature_score(name: str) -> int | None:
    """Higher is a better mean air temperature column; None when not one."""
    c = compact(name)
    if not any(h in c for h in _TEMP_HINT) or _rejected(name, _TEMP_REJECT):
        return None
    score = 1
    ws = set(words(name))
    if any(k in c for k in ("mean", "avg", "average", "tavg", "tmk")):
        score += 5
    if any(k in c for k in ("drybulb", "tttu", "tmpf", "tmpc", "temperature2m", "t2m")) or \
            "air" in ws:
        score += 4
    if _bare(name) in ("temp", "temperature", "tmp", "temperaturef", "temperaturec", "tempout"):
        score += 3
    if "hourly" in ws:
        score += 1
    if ws & {"daily", "monthly", "annual", "yearly"}:
        score -= 6
    return score


def humidity_score(name: str) -> int | None:
    """Higher is a better relative humidity column; None when not one."""
    c, ws = compact(name), set(words(name))
    hint = any(h in c for h in ("humid", "rhum", "relh", "relhum", "rftu")) or \
        bool(ws & {"rh", "hum", "upm"})
    if not hint or _rejected(name, _HUM_REJECT):
        return None
    score = 1
    if "relative" in c or ws & {"rh", "rhum", "relh", "rel"} or "rftu" in c:
        score += 3
    if "hourly" in ws:
        score += 1
    if ws & {"daily", "monthly", "annual"}:
        score -= 6
    if "mean" in c or "avg" in c:
        score += 1
    return score


def header_unit(name: str) -> str | None:
    """Temperature unit stated by the header, if any."""
    n = name.strip()
    if _UNIT_TENTHS.search(n):
        return "0.1C"
    if _UNIT_K.search(n):
        return "K"
    if _UNIT_F.search(n) or (compact(n).endswith("f") and _bare(n) in ("temperaturef", "tempf")):
        return "F"
    if _UNIT_C.search(n):
        return "C"
    return None


@dataclass
class DateChoice:
    """How to build a timestamp from one or more columns."""

    kind: str  # "single" | "date_time" | "parts" | "none"
    columns: list[str]
    fmt: str | None = None
    fixed: FixedIso | None = None

    @property
    def tz_aware(self) -> bool:
        return bool(self.fmt and "%z" in self.fmt) or bool(
            self.fixed and ("Z" in self.fixed.fields or self.fixed.sign is not None))


@dataclass
class Choice:
    """The columns and units the analysis will use."""

    date: DateChoice
    temperature: str  # the column, or "(MAX+MIN)/2" when only a max/min pair exists
    temperature_unit: str | None  # None: decided from the values at the end
    humidity: str | None
    warnings: list[dict[str, str]] = field(default_factory=list)
    max_min: tuple[str, str] | None = None  # fills rows whose mean temperature is empty
    has_mean: bool = True

    @property
    def temperature_columns(self) -> list[str]:
        """Columns read for the temperature."""
        return ([self.temperature] if self.has_mean else []) + list(self.max_min or ())

    @property
    def needed(self) -> list[str]:
        cols = [*self.date.columns, *self.temperature_columns]
        if self.humidity:
            cols.append(self.humidity)
        return list(dict.fromkeys(cols))


def _pick(names: Sequence[str], sample: Mapping[str, Sequence[str]],
          score: object) -> str | None:
    best: tuple[int, int, str] | None = None
    for i, name in enumerate(names):
        s = score(name)  # type: ignore[operator]
        if s is None:
            continue
        s = int(s) - (20 if _missing(sample.get(name, [])) else 0)
        key = (s, -i, name)
        if best is None or key > best:
            best = key
    return best[2] if best else None


def max_min_pair(names: Sequence[str]) -> tuple[str, str] | None:
    """A daily maximum and minimum air temperature pair (TMAX/TMIN, tempmax/tempmin, ...)."""
    bad = tuple(b for b in _TEMP_REJECT if b not in ("max", "min", "high", "low"))

    def base(name: str, word: str) -> str | None:
        c = compact(name)
        hint = c in ("tmax", "tmin", "txk", "tnk") or any(h in c for h in _TEMP_HINT)
        if (word not in c and c not in ("txk", "tnk")) or not hint or _rejected(name, bad):
            return None
        c = {"txk": "tmaxk", "tnk": "tmink"}.get(c, c)
        return c.replace("maximum", "max").replace("minimum", "min").replace(word, "_", 1)

    maxes = {b: n for n in names if (b := base(n, "max")) is not None}
    for n in names:
        b = base(n, "min")
        if b is not None and b in maxes:
            return maxes[b], n
    return None


def _find(names: Sequence[str], wanted: str) -> str:
    for n in names:
        if n == wanted:
            return n
    for n in names:
        if n.strip().lower() == wanted.strip().lower():
            return n
    raise AnalysisError(COLUMN_NOT_FOUND, f"column {wanted!r} is not in the file")


def _date_fmt(values: Sequence[str], name: str) -> tuple[str | None, float]:
    day_first = bool(re.search(r"dd[./-]mm", name, re.I))
    return guess_format(list(values), prefer_day_first=day_first)


def _fixed_for(values: Sequence[str]) -> FixedIso | None:
    first = next((v for v in values if v.strip()), None)
    return FixedIso.from_sample(first) if first is not None else None


def choose_date(names: Sequence[str], sample: Mapping[str, Sequence[str]],
                override: Sequence[str] | None) -> DateChoice:
    """The best way to date each row, preferring a full timestamp column."""
    if override:
        cols = [_find(names, c) for c in override]
        return _date_from_columns(cols, sample, forced=True) or DateChoice("none", [])
    lowered = {compact(n): n for n in reversed(names)}
    singles: list[tuple[int, str]] = []
    for i, name in enumerate(names):
        c = compact(_bare(name) or name)
        if c in _DATE_NAMES or "date" in c or ("time" in c and "zone" not in c):
            singles.append((0 if c in _DATE_NAMES else 1, name))
        elif i < 40 and re.match(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}",
                                 next(iter(sample.get(name, [])), "")):
            singles.append((2, name))
    date_only: DateChoice | None = None
    for _, name in sorted(singles, key=lambda t: t[0]):
        values = sample.get(name, [])
        fmt, share = _date_fmt(values, name)
        if fmt is None or share < 0.8:
            continue
        if fmt.startswith("%Y%m%d") and _bare(name) not in ("messdatum", "date", "datetime",
                                                          "time", "timestamp"):
            continue
        choice = DateChoice("single", [name], fmt, _fixed_for(values))
        if "%H" in fmt:
            return choice
        date_only = date_only or choice
    if date_only is not None:
        time_col = _time_column(names, sample, exclude=date_only.columns[0])
        if time_col is not None:
            return DateChoice("date_time", [date_only.columns[0], time_col], date_only.fmt,
                              date_only.fixed)
    parts = [lowered[k] for k in ("year", "month", "day", "hour", "minute") if k in lowered]
    if len(parts) >= 3 and all(k in lowered for k in ("year", "month", "day")):
        if "hour" not in lowered:
            parts = parts[:3]
        return DateChoice("parts", parts)
    return date_only or DateChoice("none", [])


def _time_column(names: Sequence[str], sample: Mapping[str, Sequence[str]],
                 exclude: str) -> str | None:
    for name in names:
        if name == exclude or ("time" not in compact(name) and compact(name) != "hour"):
            continue
        values = [v.strip() for v in sample.get(name, []) if v.strip()]
        if values and all(re.match(r"^\d{1,2}:\d{2}", v) for v in values[:50]):
            return name
    return None


def _date_from_columns(cols: list[str], sample: Mapping[str, Sequence[str]],
                       forced: bool) -> DateChoice | None:
    if len(cols) == 1:
        fmt, _ = _date_fmt(sample.get(cols[0], []), cols[0])
        if fmt is None:
            raise AnalysisError(INVALID_OPTION, f"column {cols[0]!r} does not hold dates")
        return DateChoice("single", cols, fmt, _fixed_for(sample.get(cols[0], [])))
    if len(cols) == 2:
        fmt, _ = _date_fmt(sample.get(cols[0], []), cols[0])
        return DateChoice("date_time", cols, fmt, _fixed_for(sample.get(cols[0], [])))
    if 3 <= len(cols) <= 5:
        return DateChoice("parts", cols)
    raise AnalysisError(INVALID_OPTION, "give one date column, date and time, or y/m/d[/h[/min]]")


def _unit_from_values(values: Sequence[float]) -> str | None:
    """A unit the values make certain (Kelvin, or readings too hot for °C)."""
    if not values:
        return None
    med = statistics.median(values)
    if med > 200:
        return "K"
    return None


def choose(names: Sequence[str], sample: Mapping[str, Sequence[str]], *,
           date_columns: Sequence[str] | None = None, temperature_column: str | None = None,
           humidity_column: str | None = None, temperature_unit: str | None = None,
           fixed_unit: str | None = None) -> Choice:
    """Pick the date, temperature and humidity columns (overrides win) and their units."""
    temp = _find(names, temperature_column) if temperature_column else \
        _pick(names, sample, temperature_score)
    pair = None if temperature_column else max_min_pair(names)
    if temp is None and pair is None:
        raise AnalysisError(NO_TEMPERATURE_COLUMN,
                            "no temperature column found among: " + ", ".join(names[:30]))
    if temp is not None and not _missing(sample.get(temp, [])) and \
            not any(v.strip() in NULL_TOKENS for v in sample.get(temp, [])):
        pair = None  # a complete mean column needs no fallback
    unit_source = temp if temp is not None else pair[0]  # type: ignore[index]
    hum = _find(names, humidity_column) if humidity_column else \
        _pick(names, sample, humidity_score)
    if hum == temp:
        hum = None
    if temperature_unit is not None and temperature_unit not in _UNITS:
        raise AnalysisError(INVALID_OPTION, f"temperature unit must be one of {_UNITS}")
    unit = temperature_unit or fixed_unit or header_unit(unit_source)
    if unit is None:
        nums = []
        for v in sample.get(unit_source, []):
            try:
                nums.append(float(v))
            except ValueError:
                continue
        unit = _unit_from_values([x for x in nums if -200 < x < 400])
    date = choose_date(names, sample, date_columns)
    label = temp if temp is not None else f"({pair[0]}+{pair[1]})/2"  # type: ignore[index]
    return Choice(date=date, temperature=label, temperature_unit=unit, humidity=hum,
                  max_min=pair, has_mean=temp is not None)
