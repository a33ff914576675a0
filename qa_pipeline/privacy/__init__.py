"""Privacy: sensitive numbers found and redacted before anything is stored, and who may see what."""
