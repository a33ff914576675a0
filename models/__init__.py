"""Package data: the model-pack manifest (read with qa_pipeline.package_data.model_manifest)."""
