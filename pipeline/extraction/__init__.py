"""Per-notice extraction: a notice's rows, the parse cache and the shard files."""
