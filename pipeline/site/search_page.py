"""search.html: the release's search box; assets/search.js does the searching (see search_index)."""
from __future__ import annotations

from pipeline.site.markup import document, esc

SEARCH_PAGE = "search.html"


def search_page(release_label: str) -> str:
    body = ('<header><p class="crumbs"><a href="index.html">← 本版本 release</a></p>'
            f"<h1>搜索 Search</h1><p class=\"subtitle\">{esc(release_label)}</p></header><main>"
            '<form id="search-form" class="needs-js" hidden><label for="search-input">'
            "任务、标题、单位 tasks, headings, units: </label>"
            '<input id="search-input" type="search" minlength="2" autocomplete="off">'
            ' <button type="submit">搜索 search</button></form>'
            "<p>Finds every task whose text, title, section heading or unit name contains what you type "
            "(two characters or more), across all notices of this release.</p>"
            "<noscript><p>Search needs JavaScript. Without it, every task is on the notice pages and in "
            "<code>plan.duckdb</code>.</p></noscript>"
            '<div id="search-result" aria-live="polite"></div></main>')
    return document("搜索 Search · plandata", body, root="",
                    head_extra='<link rel="stylesheet" href="assets/unit-search.css">\n',
                    scripts=("search.js",))
