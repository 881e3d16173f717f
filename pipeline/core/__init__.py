"""Pure core: bytes in, rows out. Imports neither Dagster nor any I/O beyond what it is given."""
