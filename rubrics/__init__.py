"""Package data: the standard QA rubrics (read with qa_pipeline.package_data.rubrics_dir)."""
