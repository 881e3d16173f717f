"""Writing a release: data files, datapackage, validation, atomic switch of ``latest``."""
