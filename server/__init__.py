"""server: the store, the ingest gate, the CLI and the web application."""
