"""outputs/index.html: every release with its links and change summary, derived from releases/index.json."""
from __future__ import annotations

from pipeline.site.markup import esc, href, table

# This page is not in any release; it has its own small style so that it needs no release's assets.
_STYLE = ("body{margin:0 auto;max-width:64rem;padding:1rem 1.5rem;font:15px/1.6 system-ui,sans-serif}"
          "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
          "vertical-align:top}th{background:#eee}code{font-size:.85em}"
          # Phone width: the release table scrolls inside itself; long ids and hashes break.
          "body{overflow-wrap:anywhere}table{display:block;max-width:100%;overflow-x:auto}"
          "th,td{overflow-wrap:normal}th{white-space:nowrap}td code{word-break:break-all}"
          "@media (max-width:40rem){body{padding:.5rem .75rem}}")
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def outputs_page(entries: list[dict], latest: str | None, has_page: dict[str, bool]) -> str:
    rows = []
    for entry in reversed(entries):
        release_id = entry["release_id"]
        target = f"releases/{release_id}/" + ("index.html" if has_page.get(release_id) else "")
        changes = entry.get("changes") or {}
        summary = "; ".join(f"{esc(key)}: {value}" for key, value in changes.items()) or (
            "first release" if not entry.get("previous") else "no row-level change")
        counts = ", ".join(f"{esc(name)} {count}" for name, count in (entry.get("rows") or {}).items())
        rows.append([f'<a href="{href(target)}">{esc(release_id)}</a>' + (" (latest)" if release_id == latest else ""),
                     esc(entry.get("built_at")), f"<code>{esc(entry.get('version'))}</code>",
                     esc(entry.get("previous") or "—"), summary, counts,
                     f'<a href="{href(f"releases/{release_id}/datapackage.json")}">datapackage.json</a>'])
    latest_link = (f'<p>Latest: <a href="{href("latest/index.html")}">latest/</a> = {esc(latest)}</p>'
                   if latest else "<p>No release yet.</p>")
    body = ("<h1>plandata releases</h1>" + latest_link
            + "<p>Every release is immutable. Query them all with DuckDB: in this folder, "
            '<code>duckdb -cmd ".read history.sql"</code> (every table, with <code>release_id</code> as a column).</p>'
            + table(["release", "built", "content version", "previous", "changes", "rows", "metadata"], rows, "releases"))
    return ("<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{esc(_CSP)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            # The root catalogue of the series, for harvesters (rewritten with this page).
            '<link rel="alternate" type="text/turtle" href="catalog.ttl">\n'
            '<link rel="alternate" type="application/ld+json" href="catalog.jsonld">\n'
            f"<title>plandata releases</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
