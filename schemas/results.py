"""The analysis result document (analysis_version 1) as stored in JobResults and Redis."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Regression(BaseModel):
    model_config = ConfigDict(extra="allow")

    temp_humidity_r2: float | None
    slope: float | None = None
    intercept: float | None = None
    pearson_r: float | None = None
    n: int | None = None


class Stats(BaseModel):
    model_config = ConfigDict(extra="allow")

    mean: float | None
    min: float | None
    max: float | None
    std: float | None


class SeriesPoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    date: str
    mean_temp_C: float | None


class Warning_(BaseModel):
    code: str
    message: str


class AnalysisResult(BaseModel):
    """The engine's document; unknown keys are kept so a newer engine's fields pass through."""

    model_config = ConfigDict(extra="allow")

    analysis_version: int
    analyzed_at: str
    num_records: int
    report_summary: str
    regression_analysis: Regression
    time_series_data: list[SeriesPoint]
    time_series_resolution: str | None = None
    date_range: dict[str, str | None] | None = None
    temperature_C: Stats
    humidity_pct: Stats | None = None
    columns: dict[str, Any] | None = None
    units: dict[str, Any] | None = None
    rows: dict[str, Any] | None = None
    warnings: list[Warning_] = []
