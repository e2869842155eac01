"""JSON Schema export of every event and of the result document."""

from __future__ import annotations

from typing import Any

from schemas.events import EVENT_TYPES
from schemas.results import AnalysisResult


def json_schemas() -> dict[str, dict[str, Any]]:
    """`{schema name: JSON Schema}` for each event, plus `weather.AnalysisResult`."""
    out = {model.SCHEMA: model.model_json_schema(by_alias=True) for model in EVENT_TYPES}
    out["weather.AnalysisResult"] = AnalysisResult.model_json_schema()
    return out
