"""Checks compiled from schemas/: every Table Schema rule runs as SQL over whole tables read back from the files."""
