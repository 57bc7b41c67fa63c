"""The ingestion pipeline: turns outside reports into tracker rows. It imports ``tracker``; never the reverse."""
