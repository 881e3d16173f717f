"""The release's list of notices: on the release page up to LIST_PAGE_SIZE rows, and beyond that in
pages of their own (notice-list/<n>.html), so that no page grows with the number of notices."""
from __future__ import annotations

import pyarrow as pa

from pipeline.render.arrow_rows import doc_counts
from pipeline.site.markup import document, esc, href, table
from pipeline.site.notice_page import NOTICE_COUNTS, notice_path

LIST_PAGE_SIZE = 500
LIST_FOLDER = "notice-list"
STALE = "stale (previous release's rows: the amended text could not be read)"


def list_page_path(number: int) -> str:
    return f"{LIST_FOLDER}/{number}.html"


def _rows(documents: list[dict], counts: dict[str, dict[str, int]], root: str) -> list[list[str]]:
    return [[f'<a href="{href(root + notice_path(doc["doc_id"]))}">{esc(doc.get("title") or doc["doc_id"])}</a>'
             + (f' <span class="stale">{esc(STALE)}</span>' if doc.get("stale") else ""),
             esc(doc.get("issuer")), esc(doc.get("issue_date")),
             *(str(counts[name].get(doc["doc_id"], 0)) for name in NOTICE_COUNTS)]
            for doc in documents]


def _table(documents: list[dict], counts: dict, root: str) -> str:
    return table(["notice", "issuer", "issue date", *NOTICE_COUNTS], _rows(documents, counts, root), "notices")


def _pager(total: int, current: int | None, root: str) -> str:
    pages = (total + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE
    links = []
    for number in range(1, pages + 1):
        first, last = (number - 1) * LIST_PAGE_SIZE + 1, min(number * LIST_PAGE_SIZE, total)
        text = f"{first}–{last}"
        links.append(f"<li><strong>{text}</strong></li>" if number == current
                     else f'<li><a href="{href(root + list_page_path(number))}">{text}</a></li>')
    return f'<nav class="pager" aria-label="notice list pages"><ul class="notice-pages">{"".join(links)}</ul></nav>'


def _counts(tables: dict[str, pa.Table]) -> dict[str, dict[str, int]]:
    return {name: doc_counts(tables.get(name)) for name in NOTICE_COUNTS}


def notice_list_section(documents: list[dict], tables: dict[str, pa.Table]) -> str:
    """The release page's section: every notice when they fit one page, else the first page and the pager."""
    total = len(documents)
    head = f'<section id="notices"><h2>文件 Notices ({total})</h2>'
    if total <= LIST_PAGE_SIZE:
        return head + _table(documents, _counts(tables), "") + "</section>"
    return (head + f"<p>The first {LIST_PAGE_SIZE} of {total} notices; the others page by page "
            "(every notice is also a row of the <code>documents</code> table under "
            '<a href="#downloads">Downloads</a>):</p>' + _pager(total, None, "")
            + _table(documents[:LIST_PAGE_SIZE], _counts(tables), "") + "</section>")


def notice_list_pages(documents: list[dict], tables: dict[str, pa.Table], title: str) -> dict[str, str]:
    """relative path -> page, one per LIST_PAGE_SIZE notices; none when the release page lists them all."""
    total = len(documents)
    if total <= LIST_PAGE_SIZE:
        return {}
    counts = _counts(tables)
    pages = {}
    for start in range(0, total, LIST_PAGE_SIZE):
        number = start // LIST_PAGE_SIZE + 1
        pager = _pager(total, number, "../")
        body = ('<header><p class="crumbs"><a href="../index.html">← 本版本 release</a></p>'
                f"<h1>文件 Notices {start + 1}–{min(start + LIST_PAGE_SIZE, total)} / {total}</h1></header>"
                f"<main>{pager}{_table(documents[start:start + LIST_PAGE_SIZE], counts, '../')}{pager}</main>")
        pages[list_page_path(number)] = document(f"{title} · notices {number}", body, root="../")
    return pages
