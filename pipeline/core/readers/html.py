"""A government article page (.html, .htm) -> Document.

The notice's own content is the ``UCAP-CONTENT`` element where the page has one (gov.cn's CMS; lxml keeps
the stray ``<td id="UCAP-CONTENT">`` that such pages print outside any table, where an HTML5 parser drops
it), else the element that holds the most paragraph text outside navigation, header and footer.

Inside it, block elements and ``<br>`` end paragraphs; scripts, styles, comments, hidden elements and
Word's markup (``<o:p>``, ``<xml>``, VML) are skipped. White space collapses as a browser collapses it,
and a line break in the markup between two Chinese characters is dropped (CSS Text 3's segment-break
rule: Word's HTML export breaks lines in mid-sentence). ``&nbsp;`` stays a no-break space.

A ``<table>`` is a data table, read with its ``rowspan``/``colspan`` expanded, unless it is a layout table
(``is_layout_table``): then its cells are read as the article's paragraphs.
"""
from __future__ import annotations

import re
import unicodedata

import lxml.etree
import lxml.html

from pipeline.core.document import Document
from pipeline.core.readers.html_charset import decode_page
from pipeline.core.readers.render import RawCell, RawTable, clean_line, render
from pipeline.errors import PlanDataError

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
SKIPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed", "select",
    "button", "input", "textarea", "svg", "math", "canvas", "map", "xml", "o:p",
})
# Word's VML drawings and its w:/m: islands hold no printed text of the page.
_SKIPPED_PREFIXES = ("v:", "w:", "m:", "o:")
_OUTSIDE_CONTENT = frozenset({"nav", "header", "footer", "aside"})
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "dd", "dt"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.IGNORECASE)
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_SPAN_NUMBER = re.compile(r"\s*(\d{1,6})")

# A table cell holding this many paragraphs, or this much text, is a box around the article, not a cell
# of a data table: a responsibility table's longest cells (a task's content) are a few hundred characters.
LAYOUT_CELL_PARAGRAPHS = 10
LAYOUT_CELL_CHARS = 3000


def _tag(element) -> str | None:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else None


def _skipped(element) -> bool:
    tag = _tag(element)
    if tag is None or tag in SKIPPED_TAGS or tag.startswith(_SKIPPED_PREFIXES):
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def collapse_space(text: str) -> str:
    """Runs of white space -> one space, as a browser shows them; a run holding a line break between
    two wide (Chinese) characters -> nothing."""
    def replace(match: re.Match) -> str:
        run, start, end = match.group(), match.start(), match.end()
        if ("\n" in run or "\r" in run) and 0 < start and end < len(text) \
                and _wide(text[start - 1]) and _wide(text[end]):
            return ""
        return " "
    return _COLLAPSIBLE.sub(replace, text)


def _span(element, name: str) -> int:
    match = _SPAN_NUMBER.match(element.get(name) or "")
    return max(1, int(match.group(1))) if match else 1


def _rows(table) -> list:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _cells(row) -> list:
    return row.xpath("./td | ./th")


def _paragraph_count(cell) -> int:
    return sum(1 for element in cell.iter() if _tag(element) in _PARAGRAPH_TAGS or _tag(element) == "br")


def is_layout_table(table) -> bool:
    """A table that boxes the article rather than printing data: it nests another table or a heading,
    it is a single row or a single column, or one of its cells holds many paragraphs or much text."""
    rows = _rows(table)
    if len(rows) < 2:
        return True
    if max((sum(_span(cell, "colspan") for cell in _cells(row)) for row in rows), default=0) < 2:
        return True
    for row in rows:
        for cell in _cells(row):
            if cell.xpath(".//table | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6"):
                return True
            if _paragraph_count(cell) >= LAYOUT_CELL_PARAGRAPHS or len(cell.text_content()) > LAYOUT_CELL_CHARS:
                return True
    return False


class _Walker:
    """Walks the content element in document order, giving paragraphs' text and raw tables."""

    def __init__(self, file: str):
        self.file = file
        self.blocks: list[str | RawTable] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            text = clean_line(collapse_space("".join(self.buffer)))
            self.buffer = []
            if text:
                self.blocks.append(text)

    def text(self, text: str | None) -> None:
        if text:
            self.buffer.append(text)

    def walk(self, element) -> None:
        tag = _tag(element)
        if tag == "br":
            self.flush()
        elif tag == "table":
            self.flush()
            self.table(element)
            self.flush()
        elif tag == "pre":
            self.flush()
            for line in element.text_content().splitlines():
                self.blocks.append(clean_line(line))
        elif tag in BLOCK_TAGS:
            self.flush()
            self.children(element)
            self.flush()
        else:
            self.children(element)

    def children(self, element) -> None:
        self.text(element.text)
        for child in element:
            if not _skipped(child):
                self.walk(child)
            self.text(child.tail)

    def table(self, table) -> None:
        if is_layout_table(table):
            for child in table:  # caption, then the rows: each cell's content read as paragraphs
                if not _skipped(child):
                    self.walk(child)
            return
        for caption in table.xpath("./caption"):
            self.walk(caption)
        rows = _rows(table)
        raw_rows = [[RawCell(self.cell_lines(cell), _span(cell, "colspan"), _span(cell, "rowspan"))
                     for cell in _cells(row)] for row in rows]
        self.blocks.append(RawTable(raw_rows, _header_rows(table, rows)))

    def cell_lines(self, cell) -> list[str]:
        inner = _Walker(self.file)
        inner.children(cell)
        inner.flush()
        return [line for block in inner.blocks for line in _flat(block) if line]


def _flat(block: str | RawTable) -> list[str]:
    if isinstance(block, str):
        return [block]
    return [line for row in block.rows for cell in row for line in cell.lines]


def _header_rows(table, rows: list) -> int:
    """Rows in <thead>, else leading rows of <th> cells only; 0 leaves the parser to decide."""
    head = table.xpath("./thead/tr")
    if head:
        return len(head)
    count = 0
    for row in rows:
        cells = _cells(row)
        if not cells or any(_tag(cell) != "th" for cell in cells):
            break
        count += 1
    return count


def _outside_content(element) -> bool:
    return any(_tag(node) in _OUTSIDE_CONTENT or node.get("role") in ("navigation", "banner", "contentinfo")
               for node in element.iterancestors()) or _tag(element) in _OUTSIDE_CONTENT


def _outside_data_tables(holder, layout: dict):
    """A data table's text counts for the element holding the table, not for its cells. ``layout``
    remembers each table's verdict: a big table's every cell would otherwise judge it again."""
    while _tag(holder) in ("td", "th", "tr", "tbody", "thead", "tfoot", "table", "caption"):
        table = holder if _tag(holder) == "table" else next(holder.iterancestors("table"), None)
        if table is not None and table not in layout:
            layout[table] = is_layout_table(table)
        if table is None or layout[table] or table.getparent() is None:
            return holder
        holder = table.getparent()
        while _tag(holder) in _PARAGRAPH_TAGS and holder.getparent() is not None:
            holder = holder.getparent()
    return holder


def content_element(root):
    """The notice's own content: UCAP-CONTENT, else a single <article>/<main>, else the element whose
    paragraphs hold the most text (each paragraph's text counts for the element holding it)."""
    marked = root.xpath('//*[@id="UCAP-CONTENT"]')
    if marked:
        return marked[0]
    for tag in ("article", "main"):
        found = [element for element in root.iter(tag) if not _outside_content(element)]
        if len(found) == 1:
            return found[0]
    scores: dict = {}
    layout: dict = {}
    body = root.find("body") if root.find("body") is not None else root
    for element in body.iter():
        tag = _tag(element)
        if tag is None or _skipped(element):
            continue
        own = len((element.text or "").strip()) + sum(len((child.tail or "").strip()) for child in element)
        if not own:
            continue
        holder = element
        while _tag(holder) not in BLOCK_TAGS and holder.getparent() is not None:
            holder = holder.getparent()
        if _tag(holder) in _PARAGRAPH_TAGS and holder.getparent() is not None:
            holder = holder.getparent()
        holder = _outside_data_tables(holder, layout)
        if _outside_content(holder) or any(_skipped(node) for node in holder.iterancestors()):
            continue
        scores[holder] = scores.get(holder, 0) + own
    if not scores:
        return body
    # Ties go to the earlier element, so that the choice never depends on dictionary order.
    order = {element: index for index, element in enumerate(body.iter())}
    return max(scores, key=lambda element: (scores[element], -order.get(element, 0)))


def read_html(data: bytes, file_name: str) -> Document:
    text, encoding = decode_page(data, file_name)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise PlanDataError(f"not a readable web page ({' '.join(str(exc).split()) or 'no markup'})",
                            file=file_name) from None
    # libxml2 stops at 256 nested elements and drops the rest: refuse rather than publish part of a page.
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise PlanDataError(f"web page nested too deeply to read ({' '.join(error.message.split())})",
                                file=file_name, line=error.line or None)
    content = content_element(root)
    walker = _Walker(file_name)
    walker.walk(content)
    walker.flush()
    return render(walker.blocks, file_name, "html", encoding)
