"""The schema.org Dataset description embedded in the release page as JSON-LD."""
from __future__ import annotations

from pipeline.site.release_files import ReleaseFile

DESCRIPTION_MIN, DESCRIPTION_MAX = 50, 5000


def dataset_description(descriptor: dict, documents: list[dict], rows: dict[str, int]) -> str:
    """The description as the contents completed it (site.contents.described), never under 50 characters."""
    text = descriptor.get("description", "").strip() or f"Structured data from {len(documents)} plan notices."
    if len(text) < DESCRIPTION_MIN:
        text += " Tables in CSV, JSON and Parquet with a Frictionless data package."
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def temporal_coverage(documents: list[dict]) -> str | None:
    from pipeline.site.contents import coverage

    years = coverage(documents)
    return f"{years[0]}/{years[1]}" if years else None


def dataset_jsonld(descriptor: dict, documents: list[dict], rows: dict[str, int], files: list[ReleaseFile],
                   release_label: str, release_url: str) -> dict:
    """descriptor: datapackage.json's, its description and keywords completed from the contents."""
    from pipeline.site.dcat import publisher_name

    creator = publisher_name(descriptor)
    licence = (descriptor.get("licenses") or [{}])[0]
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": release_url,
        "name": descriptor.get("title"),
        "alternateName": descriptor.get("title_zh"),
        "description": dataset_description(descriptor, documents, rows),
        "url": release_url + "index.html",
        "version": release_label,
        "identifier": descriptor["version"],
        "license": licence.get("path"),
        "isAccessibleForFree": True,
        "keywords": descriptor.get("keywords", []),
        "inLanguage": "zh-Hans",
        "creator": {"@type": "Organization", "name": creator},
        "publisher": {"@type": "Organization", "name": creator},
        "spatialCoverage": {"@type": "Place", "name": descriptor["spatial"]} if descriptor.get("spatial") else None,
        "isBasedOn": [f"{source.get('title', '')} ({source['path'].rsplit('/', 1)[-1]}, sha256 {source['sha256']})"
                      for source in descriptor.get("sources", [])],
        "distribution": [
            {"@type": "DataDownload", "name": file.path, "contentUrl": release_url + file.path,
             "encodingFormat": file.media_type or "application/octet-stream", "contentSize": f"{file.size} B",
             **({"sha256": file.sha256} if file.byte_stable else {})}
            for file in files],
    }
    coverage = temporal_coverage(documents)
    if coverage:
        data["temporalCoverage"] = coverage
    return {key: value for key, value in data.items() if value not in (None, "", [])}
