"""Alerts on critical calls: rules in a configuration file (:mod:`~qa_pipeline.alerts.config`),
raised once per call and rule from the stored results (:mod:`~qa_pipeline.alerts.evaluate`),
delivered by e-mail and webhook with retries (:mod:`~qa_pipeline.alerts.channels`,
:mod:`~qa_pipeline.alerts.send`). The dashboard shows them through
:mod:`qa_pipeline.insights.alerts`. See docs/alerts.md.
"""
