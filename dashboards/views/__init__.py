"""Dashboard pages, one plain Streamlit script each."""
