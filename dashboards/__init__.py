"""The Streamlit QA dashboard, shipped inside the package as ``qa_pipeline.dashboards``."""
