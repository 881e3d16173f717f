"""The absolute address a release is published under: --base-url, PLANDATA_BASE_URL, or a placeholder."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from pipeline.errors import PlanDataError

# A placeholder on purpose: portal metadata needs absolute URLs, and only the publisher knows them.
DEFAULT_BASE_URL = "https://example.org/plandata/"
ENVIRONMENT_VARIABLE = "PLANDATA_BASE_URL"


def resolve_base_url(option: str | None = None) -> str:
    """The command-line option, else the environment variable, else the placeholder; always ending in /.

    The URL names the folder that holds releases/ (the outputs folder as published)."""
    value = option or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_BASE_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        source = "--base-url" if option else ENVIRONMENT_VARIABLE
        raise PlanDataError(f"{source} {value!r} is not an absolute http(s) URL without query or fragment "
                            "(e.g. https://data.example.gov.cn/plandata/)")
    return value if value.endswith("/") else value + "/"


def release_url(base_url: str, release_id: str | None) -> str:
    return f"{base_url}releases/{release_id}/" if release_id else base_url


def base_url_notice(base_url: str) -> str | None:
    """quality.md's line when the absolute URLs still point at the placeholder; None once it is set."""
    if base_url != DEFAULT_BASE_URL:
        return None
    return (f"The absolute URLs in dcat.ttl, dcat.jsonld and the pages' JSON-LD use the placeholder base URL "
            f"{DEFAULT_BASE_URL}: set --base-url or {ENVIRONMENT_VARIABLE} to where the outputs folder is "
            "published, and rebuild.")
