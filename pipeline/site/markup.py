"""HTML from untrusted text: every value passes through esc() or json_script() before it is rendered."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

ASSETS = "assets"
# No network at all: only this folder's own files may load. Inline JSON blocks are data, not script.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "base-uri 'none'; form-action 'none'")


_SPECIAL = re.compile(r"[&<>\"']")


def esc(value: object) -> str:
    """html.escape(str(value), quote=True); most notice text has nothing to escape, so that is checked first."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if _SPECIAL.search(text) is None:
        return text
    return html.escape(text, quote=True)


def href(path: str) -> str:
    """A relative link: path segments percent-encoded, then HTML-escaped for the attribute."""
    return esc(quote(path, safe="/#.-_~"))


def json_for_html(data: object) -> str:
    """JSON that can sit inside <script>: no </script>, no <!--, no HTML or JS line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def json_script(data: object, element_id: str | None = None, kind: str = "application/json") -> str:
    attribute = f' id="{esc(element_id)}"' if element_id else ""
    return f'<script type="{esc(kind)}"{attribute}>{json_for_html(data)}</script>'


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def paragraphs(text: str | None) -> str:
    if not text:
        return ""
    return "".join(f"<p>{esc(line)}</p>" for line in text.split("\n") if line.strip())


def table(headers: list[str], rows: list[list[str]], css_class: str = "") -> str:
    """Headers and cells are HTML already (escape before calling)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attribute = f' class="{esc(css_class)}"' if css_class else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def document(title: str, body: str, root: str, head_extra: str = "", scripts: tuple[str, ...] = ()) -> str:
    """A whole page. root is the relative path from the page to the release folder ('' or '../')."""
    script_tags = "".join(f'<script src="{href(root + ASSETS + "/" + name)}" defer></script>' for name in scripts)
    return ("<!DOCTYPE html>\n"
            '<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CONTENT_SECURITY_POLICY)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<link rel="icon" href="data:,">\n'  # else browsers ask the server for /favicon.ico
            f"<title>{esc(title)}</title>\n"
            f'<link rel="stylesheet" href="{href(root + ASSETS + "/site.css")}">\n'
            f"{head_extra}{script_tags}\n</head>\n<body>\n{body}\n</body>\n</html>\n")
