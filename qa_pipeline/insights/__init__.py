"""Insights: what the dashboard and the weekly report show. ``filters`` (the viewer's scope and the
call filter as SQL) under ``facts`` (one row per call in memory), under ``queries`` and ``aggregates``,
under ``report``."""
