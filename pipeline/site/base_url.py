"""The absolute address a release is published under: --base-url, PLANDATA_BASE_URL, or a placeholder."""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from pipeline.errors import PlanDataError

# A placeholder on purpose: portal metadata needs absolute URLs, and only the publisher knows them.
DEFAULT_BASE_URL = "https://example.org/plandata/"
ENVIRONMENT_VARIABLE = "PLANDATA_BASE_URL"


def resolve_base_url(option: str | None = None, configured: str | None = None,
                     configured_in: str = "the settings file") -> str:
    """The command-line option, else the environment variable, else the settings file's base_url
    (``configured``), else the placeholder; always ending in /.

    The URL names the folder that holds releases/ (the outputs folder as published)."""
    environment = os.environ.get(ENVIRONMENT_VARIABLE)
    value = option or environment or configured or DEFAULT_BASE_URL
    parts = urlsplit(value)
    source = ("--base-url" if option else ENVIRONMENT_VARIABLE if environment
              else f"base_url in {configured_in}" if configured else "the default base URL")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PlanDataError(f"{source} {value!r} is not an absolute http(s) URL without query or fragment "
                            "(e.g. https://data.example.gov.cn/plandata/)")
    problem = iri_problem(value)
    if problem:
        raise PlanDataError(f"{source} {value!r} is not a valid IRI: {problem}; percent-encode it "
                            "(a space is %20)")
    return value if value.endswith("/") else value + "/"


# RFC 3987: characters that may not appear in an IRI as they are (the portal metadata's RDF
# writers refuse them at the end of a build). Non-ASCII letters are allowed: it is an IRI.
_NOT_IN_IRI = re.compile(r"[\x00-\x20\x7f-\x9f<>\"{}|\\^`\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an IRI, in words; None when it is one."""
    bad = _NOT_IN_IRI.search(value)
    if bad:
        char = bad.group()
        return f"it holds {'a space' if char == ' ' else repr(char)}, which an IRI may not hold as it is"
    if _BAD_PERCENT.search(value):
        return "a % is not followed by two hex digits"
    return None


def release_url(base_url: str, release_id: str | None) -> str:
    return f"{base_url}releases/{release_id}/" if release_id else base_url


PLACEHOLDER_WARNING = ("warning: the base URL is still the placeholder {url}: the portal metadata's "
                       "absolute URLs point there; set base_url in {settings}, {env} or --base-url")


def base_url_notice(base_url: str) -> str | None:
    """quality.md's line when the absolute URLs still point at the placeholder; None once it is set."""
    if base_url != DEFAULT_BASE_URL:
        return None
    return (f"The absolute URLs in dcat.ttl, dcat.jsonld and the pages' JSON-LD use the placeholder base URL "
            f"{DEFAULT_BASE_URL}: set --base-url or {ENVIRONMENT_VARIABLE} to where the outputs folder is "
            "published, and rebuild.")
