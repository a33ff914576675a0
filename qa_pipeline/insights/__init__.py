"""Insights: what the dashboard and the weekly report show: call filters, per-call facts, queries and aggregates."""
