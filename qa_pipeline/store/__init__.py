"""Storage: the DuckDB database (schema migrations, calls, results, roster), the batch lock and the dashboard's write journal."""
