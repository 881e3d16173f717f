"""Dagster orchestration: assets, one Definitions, automation, parallel runs, the CLI's run and code versions."""
