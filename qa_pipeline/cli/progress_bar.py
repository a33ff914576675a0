"""The CLI's progress bar: a rich bar driven by the pipeline's progress hook."""
from __future__ import annotations

from qa_pipeline.progress import CALL_STEPS, ProgressEvent


class RichProgress:
    """calls done/total, audio hours done/total (``audio``), elapsed, ETA and the step running
    now ("transcribing call 12/40"); writes to stderr (or to ``console``, a rich Console)."""

    def __init__(self, title: str, audio: bool = True, console=None):
        # rich is imported here, by the commands that draw a bar, not by every command.
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.table import Column

        self.title = title

        def fixed(template: str) -> TextColumn:
            return TextColumn(template, table_column=Column(no_wrap=True))

        # Only the bar and the last call's name give way on a narrow terminal (80 columns):
        # the counts and times keep their width instead of being cut to "0:… ETA -:-…".
        columns = [fixed("[bold]{task.description}"), BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=8)),
                   fixed("{task.fields[calls]} calls")]
        if audio:
            columns.append(fixed("{task.fields[audio]}"))
        columns += [TimeElapsedColumn(table_column=Column(no_wrap=True)), fixed("ETA"),
                    TimeRemainingColumn(table_column=Column(no_wrap=True)),
                    TextColumn("{task.fields[last]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis"))]
        self._progress = Progress(*columns, transient=False, expand=True, console=console)
        self._task = None
        self.last = ""  # what the bar says is happening now

    def __enter__(self) -> "RichProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        # The bar and its ETA follow audio time, not call count: calls differ in length.
        audio = f"{event.audio_seconds_done / 3600:.2f}/{event.audio_seconds_total / 3600:.2f} h"
        calls = f"{event.completed}/{event.total}"
        total = event.audio_seconds_total or float(event.total) or 1.0
        done = event.audio_seconds_done if event.audio_seconds_total else float(event.completed)
        if self._task is None:
            self._task = self._progress.add_task(self.title, total=total, audio=audio, calls=calls, last="")
        if event.step in CALL_STEPS:  # "transcribing call 12/40 (call-0012)"
            last = event.describe() + (f" ({event.call_id})" if event.call_id else "")
        elif event.step in ("done", "failed"):
            last = f"{event.call_id or ''} {event.step}"
        else:  # "start", or a step of the caller's own such as the demo's "render"
            last = event.message
        self.last = last.strip()
        self._progress.update(self._task, total=total, completed=done, audio=audio, calls=calls, last=self.last)
