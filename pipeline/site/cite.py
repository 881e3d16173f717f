"""How to cite a release, as plain text and BibTeX. Dates come from the notices, never from the build."""
from __future__ import annotations

import re

from pipeline.site.contents import Contents

_BIBTEX_SPECIAL = re.compile(r"([{}\\%&$#_^~])")


def _bibtex(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else
                               {"\\": "\\textbackslash{}", "^": "\\^{}", "~": "\\~{}"}[m.group(1)], value)


def creator(descriptor: dict) -> str:
    from pipeline.site.dcat import publisher_name

    return publisher_name(descriptor)


def _title(descriptor: dict, found: Contents | None) -> str:
    """The dataset's title, then what the release holds: the notices and the years they were issued."""
    title = " / ".join(part for part in (descriptor.get("title_zh"), descriptor["title"]) if part)
    if found is None:
        return title
    years = f", issued {found.years()}" if found.issued else ""
    return f"{title} ({found.notices} notice{'s' if found.notices != 1 else ''}{years})"


def source_year(documents: list[dict]) -> str | None:
    dates = sorted(str(row["issue_date"]) for row in documents if row.get("issue_date"))
    return dates[-1][:4] if dates else None


def citation_plain(descriptor: dict, documents: list[dict], release_label: str, url: str,
                   found: Contents | None = None) -> str:
    year = source_year(documents)
    licence = ", ".join(item.get("name", "") for item in descriptor.get("licenses", []))
    return (f"{creator(descriptor)} ({year or 'n.d.'}). {_title(descriptor, found)}. Dataset, release {release_label}, "
            f"content version {descriptor['version']}. {licence}. {url}")


def citation_bibtex(descriptor: dict, documents: list[dict], release_label: str, url: str,
                    found: Contents | None = None) -> str:
    year = source_year(documents)
    key = re.sub(r"[^A-Za-z0-9]+", "-", f"{descriptor.get('name', 'plandata')}-{release_label}").strip("-")
    fields = [("author", "{" + _bibtex(creator(descriptor)) + "}"),
              ("title", _bibtex(_title(descriptor, found))),
              ("version", _bibtex(f"{release_label} (content {descriptor['version']})")),
              ("url", url),
              ("note", _bibtex("Dataset; licence " + ", ".join(i.get("name", "") for i in descriptor.get("licenses", []))))]
    if year:
        fields.insert(2, ("year", year))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"
