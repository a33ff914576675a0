"""qa_pipeline: offline call-centre quality assurance.

Start reading at :func:`qa_pipeline.pipeline.process_call`: decode → transcribe →
separate speakers → assign roles → redact → score → store.
"""
__version__ = "0.1.0"
