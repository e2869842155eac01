"""Numeric columns from any Arrow type; flags, padding and tokens become NaN."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
# Tokens read as missing by the CSV reader when a column is typed numeric.
NULL_TOKENS = ["", "NA", "N/A", "NaN", "nan", "NAN", "M", "---", "--", "-", "null", "NULL",
               "None", "#N/A", "T", "VRB", "*", "mm"]


def to_float(arr: pa.Array | pa.ChunkedArray) -> NDArray[np.float64]:
    """Float64 values with NaN for anything that is not a plain number."""
    t = arr.type
    if pa.types.is_float64(t) and arr.null_count == 0 and isinstance(arr, pa.Array):
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t):
        out = pc.cast(arr, pa.float64()).fill_null(np.nan)
        return np.asarray(out.to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        s = pc.utf8_trim_whitespace(arr)
        # NOAA LCD appends a flag to suspect values ("35s"); the reading itself is kept.
        s = pc.replace_substring_regex(s, r"^([-+]?[\d.]+)[sS*]$", r"\1")
        s = pc.replace_substring_regex(s, r"^([-+]?\d+),(\d+)$", r"\1.\2")
        s = pc.if_else(pc.fill_null(pc.match_substring_regex(s, _NUMBER), False), s, None)
        out = pc.cast(s, pa.float64()).fill_null(np.nan)
        return np.asarray(out.to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.full(len(arr), np.nan)


def looks_numeric(values: list[str]) -> bool:
    """Whether every non-missing sample value parses as a float (the fast typed read)."""
    for v in values:
        v = v.strip()
        if v in NULL_TOKENS:
            continue
        try:
            float(v)
        except ValueError:
            return False
        if v.lower() in ("inf", "-inf", "infinity", "nan"):
            return False
    return True
