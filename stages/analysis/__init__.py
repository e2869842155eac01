"""The analysis engine: a weather file in, a JSON-ready result document out."""

from .analyze import analyze_file
from .document import ANALYSIS_VERSION
from .errors import AnalysisError

__all__ = ["ANALYSIS_VERSION", "AnalysisError", "analyze_file"]
