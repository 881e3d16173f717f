"""The release's index.html: what the data is, how to get, verify and cite it, and what changed."""
from __future__ import annotations


import pyarrow as pa

from pipeline.schema import table_specs
from pipeline.site.markup import document, esc, href, human_bytes, json_script, table
from pipeline.render.arrow_rows import kind_counts, row_dicts
from pipeline.site.release_files import ReleaseFile
from pipeline.site.unit_pages import unit_page_path
from pipeline.site.units_index import Unit, busiest, role_name, roles
from pipeline.site.words import shown as shown_value
from pipeline.site.changes_view import changes_section
from pipeline.site.notice_list import notice_list_section

PREVIEW_ROWS, PREVIEW_CHARS = 5, 80
FINDINGS_SHOWN = 100


UNIT_SCRIPTS = "units"


def unit_script_path(index: int) -> str:
    return f"{UNIT_SCRIPTS}/{index}.js"


def _cut(value: object, limit: int = PREVIEW_CHARS) -> str:
    if isinstance(value, bool):
        return shown_value(value)
    text = "" if value is None else str(value)
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


def _about(descriptor: dict, documents: list[dict], release_label: str) -> str:
    issuers = sorted({row["issuer"] for row in documents if row.get("issuer")})
    licences = ", ".join(f'<a href="{esc(item.get("path", ""))}" rel="license">{esc(item.get("title") or item.get("name"))}</a>'
                         for item in descriptor.get("licenses", []))
    sources = table(["来源 source", "文件 file", "sha256"],
                    [[esc(source.get("title")), esc(source["path"].rsplit("/", 1)[-1]), f"<code>{esc(source['sha256'])}</code>"]
                     for source in descriptor.get("sources", [])], "sources")
    return ('<section id="about"><h2>关于 About</h2>'
            f'<p class="description">{esc(descriptor.get("description"))}</p>'
            f'<dl><dt>发文机关 Issuing bodies</dt><dd>{esc("、".join(issuers)) or "—"}</dd>'
            + _publisher(descriptor) +
            f"<dt>许可 Licence</dt><dd>{licences}</dd>"
            f"<dt>版本 Release</dt><dd>{esc(release_label)} (content version <code>{esc(descriptor['version'])}</code>)</dd>"
            f'<dt>元数据 Metadata</dt><dd><a href="datapackage.json">datapackage.json</a> · '
            '<a href="dcat.ttl">dcat.ttl</a> · <a href="dcat.jsonld">dcat.jsonld</a> · '
            '<a href="SHA256SUMS">SHA256SUMS</a></dd></dl>'
            f"<h3>来源文件 Source files</h3>{sources}</section>")


def _publisher(descriptor: dict) -> str:
    """Who publishes the dataset and where it is about, as the deployment settings say."""
    from pipeline.site.dcat import publisher_name

    contact = descriptor.get("contact") or {}
    reach = [f'<a href="{esc("mailto:" + contact["email"])}">{esc(contact["email"])}</a>'] if contact.get("email") else []
    reach += [f'<a href="{esc(contact["url"])}">{esc(contact["url"])}</a>'] if contact.get("url") else []
    text = f"<dt>发布者 Publisher</dt><dd>{esc(contact.get('name') or publisher_name(descriptor))}"
    text += (" · " + " · ".join(reach) if reach else "") + "</dd>"
    if descriptor.get("spatial"):
        text += f"<dt>地区 Place</dt><dd>{esc(descriptor['spatial'])}</dd>"
    return text


def _cite(plain: str, bibtex: str) -> str:
    return ('<section id="cite"><h2>引用 How to cite</h2>'
            f'<h3>Plain text</h3><pre class="cite" id="cite-plain">{esc(plain)}</pre>'
            f'<h3>BibTeX</h3><pre class="cite" id="cite-bibtex">{esc(bibtex)}</pre></section>')


def _downloads(files: list[ReleaseFile]) -> str:
    rows = []
    for file in files:
        digest = (f"<code>{esc(file.sha256)}</code>" if file.byte_stable
                  else '<span class="note">in SHA256SUMS (DuckDB files differ in a few bytes between identical builds)</span>')
        rows.append([f'<a href="{href(file.path)}" data-sha256="{esc(file.sha256) if file.byte_stable else ""}" '
                     f'data-bytes="{file.size}">{esc(file.path)}</a>',
                     esc(file.table or ""), esc(file.format), "" if file.rows is None else str(file.rows),
                     esc(human_bytes(file.size)), str(file.size), digest])
    return ('<section id="downloads"><h2>下载 Downloads</h2>'
            "<p>One row per table and format. Check a file with <code>sha256sum</code>; "
            "<code>sha256sum -c SHA256SUMS</code> checks them all. "
            "<code>csv/</code> is for tools; <code>excel/</code> (UTF-8 with BOM, CRLF) opens in Excel on Chinese Windows.</p>"
            + table(["file", "table", "format", "rows", "size", "bytes", "sha256"], rows, "downloads") + "</section>")


def _fields(tables: dict[str, pa.Table]) -> str:
    parts = ['<section id="fields"><h2>字段说明 Field documentation</h2>']
    for name, spec in table_specs().items():
        descriptor = spec.descriptor
        rows = [[f"<code>{esc(f['name'])}</code>", esc(f["type"]), esc(f.get("title_zh")), esc(f.get("title")),
                 esc(f.get("description_zh")), esc(f.get("description")),
                 esc(_constraints(f.get("constraints", {})))] for f in spec.fields]
        preview = row_dicts(tables[name].slice(0, PREVIEW_ROWS)) if name in tables else []
        parts.append(f'<details id="table-{esc(name)}"><summary><code>{esc(name)}</code> '
                     f"{esc(descriptor.get('title_zh'))} / {esc(descriptor.get('title'))}</summary>"
                     f"<p>{esc(descriptor.get('description_zh'))}</p><p>{esc(descriptor.get('description'))}</p>"
                     + (f"<p>Primary key: <code>{esc(', '.join(spec.primary_key))}</code></p>" if spec.primary_key else "")
                     + table(["column", "type", "标题", "title", "说明", "description", "constraints"], rows, "fields")
                     + f"<h4>前 {len(preview)} 行 First rows</h4><div class=\"scroll\">"
                     + table([esc(c) for c in spec.columns], [[_cut(row.get(c)) for c in spec.columns] for row in preview],
                             "preview")
                     + "</div></details>")
    parts.append("</section>")
    return "".join(parts)


def _constraints(constraints: dict) -> str:
    bits = ["required"] if constraints.get("required") else []
    if "enum" in constraints:
        bits.append("one of " + ", ".join(map(str, constraints["enum"])))
    if "pattern" in constraints:
        bits.append("pattern " + constraints["pattern"])
    if "minimum" in constraints:
        bits.append(f"≥ {constraints['minimum']}")
    return "; ".join(bits)


def _units(units: list[Unit]) -> str:
    options = "".join(f'<option value="{index}" data-name="{esc(unit.name)}">{esc(unit.name)} ({unit.tasks})</option>'
                      for index, unit in enumerate(units))
    role_list = roles()
    top = [[f'<a href="{href(unit_page_path(unit.key))}">{esc(unit.name)}</a>', esc(unit.full_name or ""), *(str(unit.count(role)) for role in role_list),
            str(unit.tasks), str(unit.notices)] for unit in busiest(units)]
    return ('<section id="units"><h2>单位 Units</h2>'
            '<p><a href="search.html">搜索 Search</a> the tasks, headings and units of every notice; '
            "each unit has a page of its tasks (units/).</p>"
            '<form id="unit-filter" class="needs-js" hidden><label for="unit-select">按单位筛选 Filter by unit: </label>'
            f'<select id="unit-select"><option value="">—</option>{options}</select></form>'
            '<noscript><p>The unit filter needs JavaScript; every task is on the notice pages, and '
            '<code>csv/assignments.csv</code> lists every unit of every task.</p></noscript>'
            '<div id="unit-result" aria-live="polite"></div>'
            "<h3>最忙的单位 Busiest units</h3><p>Tasks per role, across all notices.</p>"
            + table(["unit", "full name", *(esc(role_name(role)) for role in role_list), "tasks", "notices"], top, "busiest")
            + "</section>")


def _quality(findings: pa.Table | None) -> str:
    by_kind = kind_counts(findings)
    total = findings.num_rows if findings is not None else 0
    summary = table(["kind", "severity", "count"], [[esc(k), esc(s), str(n)] for (k, s), n in sorted(by_kind.items())])
    shown = row_dicts(findings.slice(0, FINDINGS_SHOWN)) if findings is not None else []
    listing = table(["notice", "line", "kind", "severity", "value", "message"],
                    [[esc(r["doc_id"]), esc(r.get("line")), esc(r["kind"]), esc(r["severity"]), _cut(r.get("value")),
                      _cut(r.get("message"), 200)] for r in shown], "findings")
    more = (f"<p>The first {len(shown)} of {total} findings; all are in "
            '<a href="quality.md">quality.md</a> and in the <code>findings</code> files under '
            '<a href="#downloads">Downloads</a>.</p>')
    return (f'<section id="quality"><h2>质量 Quality findings ({total})</h2>'
            "<p>What looked odd in the text and what the build did about it. Errors stop a build, so a "
            "published release holds warnings and information only.</p>" + summary + listing + more + "</section>")


def _snippets(snippets: list[tuple[str, str, str]]) -> str:
    parts = ['<section id="snippets"><h2>代码 Code snippets</h2><p>Run them in this release folder '
             "(or replace the paths with the absolute URLs of the download table).</p>"]
    for title, language, code in snippets:
        parts.append(f"<h3>{esc(title)}</h3><pre><code class=\"language-{esc(language)}\">{esc(code)}</code></pre>")
    parts.append("</section>")
    return "".join(parts)


def release_page(*, descriptor: dict, documents: list[dict], tables: dict[str, pa.Table], files: list[ReleaseFile],
                 units: list[Unit], changes: list[dict], previous: str | None, release_label: str,
                 citations: tuple[str, str], snippets: list[tuple[str, str, str]], jsonld: dict,
                 skipped: list[dict] = ()) -> str:
    """documents: the documents table's rows; tables: every table of the release."""
    notices = [[doc["doc_id"], doc.get("title") or doc["doc_id"]] for doc in documents]
    contents = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in (
        ("changes", "变更 What changed"), ("about", "关于 About"), ("cite", "引用 Cite"), ("downloads", "下载 Downloads"), ("fields", "字段 Fields"),
        ("notices", "文件 Notices"), ("units", "单位 Units"), ("quality", "质量 Quality"),
        ("snippets", "代码 Snippets")))
    body = ["<header>",
            '<p class="crumbs"><a href="../../index.html">所有版本 All releases</a></p>',
            f"<h1>{esc(descriptor.get('title_zh') or descriptor['title'])}</h1>",
            f'<p class="subtitle">{esc(descriptor["title"])} · release {esc(release_label)}</p>',
            f'<nav class="contents"><ul>{contents}</ul></nav>',
            "</header>", "<main>", changes_section(changes, previous, documents, skipped),
            _about(descriptor, documents, release_label), _cite(*citations), _downloads(files), _fields(tables),
            notice_list_section(documents, tables), _units(units), _quality(tables.get("findings", [])),
            _snippets(snippets), "</main>",
            json_script({"notices": notices, "unitScripts": UNIT_SCRIPTS + "/",
                         "roleNames": {role: role_name(role) for role in roles()}}, "site-data")]
    # Harvesters look for the portal metadata in the head (DCAT-AP's discovery by rel="alternate").
    head = ('<link rel="alternate" type="text/turtle" href="dcat.ttl">\n'
            '<link rel="alternate" type="application/ld+json" href="dcat.jsonld">\n'
            + json_script(jsonld, kind="application/ld+json") + "\n")
    return document(f"{descriptor['title']} · {release_label}", "\n".join(body), root="", head_extra=head,
                    scripts=("filter.js",))
