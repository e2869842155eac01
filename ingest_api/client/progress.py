"""A small upload progress bar for stderr: redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from ingest_api.client.format import human_bytes

NUMBERS_WIDTH = len("100%  1023.9 MB / 1023.9 MB  1023.9 MB/s")


def render_bar(done: int, total: int, elapsed: float, width: int = 80, label: str = "") -> str:
    """One line: `label [#####-----]  45%  1.2 MB / 2.7 MB  3.4 MB/s`, at most `width` wide."""
    fraction = 1.0 if total <= 0 else min(1.0, done / total)
    rate = done / elapsed if elapsed > 0 else 0.0
    numbers = f"{fraction * 100:3.0f}%  {human_bytes(done)} / {human_bytes(total)}"
    if rate > 0:
        numbers += f"  {human_bytes(rate)}/s"
    # Room for the bar: what the numbers leave at their widest, so the bar keeps its size.
    room = width - NUMBERS_WIDTH - 4
    if label:
        keep = max(12, room // 2)
        label = label if len(label) <= keep else label[: keep - 1] + "…"
        room -= len(label) + 1
    bar = ""
    if room >= 10:
        cells = min(room, 40)
        filled = round(fraction * cells)
        bar = "[" + "#" * filled + "-" * (cells - filled) + "] "
    head = f"{label} " if label else ""
    return f"{head}{bar}{numbers}"[:width]


class ProgressBar:
    """Reports bytes sent; on a terminal it redraws one line, elsewhere prints every 25 %."""

    def __init__(self, total: int, label: str, stream: TextIO, enabled: bool = True) -> None:
        self.total = total
        self.label = label
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_quarter = -1
        self._done = 0

    def update(self, done: int) -> None:
        self._done = done
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last_draw >= 0.1 or done >= self.total:
                self._last_draw = now
                width = max(40, shutil.get_terminal_size((80, 20)).columns - 1)
                line = render_bar(done, self.total, now - self.started, width, self.label)
                self.stream.write("\r" + line.ljust(width))
                self.stream.flush()
            return
        quarter = 4 if self.total <= 0 else int(4 * min(done, self.total) / self.total)
        if quarter > self._last_quarter and quarter < 4:
            self._last_quarter = quarter
            line = render_bar(done, self.total, now - self.started, 80, self.label)
            self.stream.write(line + "\n")
            self.stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        line = render_bar(self._done, self.total, elapsed, 80, self.label)
        if self.tty:
            width = max(40, shutil.get_terminal_size((80, 20)).columns - 1)
            line = render_bar(self._done, self.total, elapsed, width, self.label)
            self.stream.write("\r" + line.ljust(width) + "\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
