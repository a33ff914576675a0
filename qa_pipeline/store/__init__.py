"""Storage: the DuckDB database (schema migrations, calls, results, roster), the batch lock,
and the pending-writes journal that applies the writes their owners register."""
