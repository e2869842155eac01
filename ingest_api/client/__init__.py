"""Command-line clients of the HTTP API: `weather-submit` and `weather-jobs`."""
