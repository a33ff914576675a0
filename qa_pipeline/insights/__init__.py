"""Insights: what the dashboard and the weekly report show. ``filters`` (the viewer's scope and the
call filter as SQL) under ``facts`` (the call facts and day sums the store keeps), under ``queries`` and ``aggregates``,
under ``report``."""
