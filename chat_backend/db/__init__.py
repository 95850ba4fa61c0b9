"""Storage: tables, the engine, the write path and migrations."""
