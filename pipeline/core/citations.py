"""Cited documents: every 《…》 title in a notice, with its issuer, the action asked of it and its place.

Decisions (see also schemas/citations.schema.json):

* Coverage: the whole text, header included. Titles in the header (the notice
  title, the covering notice and the preamble, i.e. every line before the first
  chapter) get no section_id and no task_id. References to the plan itself
  (《实施细则》) are rows like any other.
* Nesting: a title is the text inside the *outermost* matched 《…》 pair, as
  printed. A 《…》 nested inside another (《关于印发《…》的通知》) is part of the
  outer title and is not a row of its own: the document cited is the outer one.
  〈〉 and brackets （）() inside a title are kept as printed. Pairs are matched
  within one line; a 《 never closed on its line, and a stray 》, are ignored
  (titles inside an unclosed 《 still count). An empty 《》 is not a row.
* citation_id: ``<section_id>-c<n>``, n counted from 1 in line order within the
  deepest section or item containing the line (``0-c<n>`` for the header), so
  it is readable, unique per notice and unaffected by edits in other sections.
* section_id: the deepest node (item, else section, else chapter) whose line
  range holds the line. task_id: on a line that prints responsibility clauses,
  the task of the first clause that ends after the title (a clause governs the
  text since the previous one, and a title inside a clause is that clause's);
  else the task whose governed text (from its line_start to the line before its
  first unit line) holds the line; else empty.
* issuer_prefix: the issuing body printed immediately before 《, e.g. 中央,
  中办、国办, 省委、省政府 (bodies joined by 、和及 are kept together). A known
  body name wins; otherwise a short CJK run ending in a body suffix (委, 部, 院,
  厅, 局, 署, 政府, 中央, 委办, 办公厅, …) when what precedes it is empty or ends
  in a verb or function word, so 认真贯彻中央《 gives 中央, never 贯彻中央. The
  title's own text is never an issuer (《中共台州市委关于…》 has no prefix).
* action: the nearest verb before the title within its clause (text after the
  last ，。；：！？ outside titles; other titles' text is ignored) decides: draft
  (制定, 出台, 修订, 完善, …) or implement (贯彻, 落实, 执行, 实施, 根据, 按照, …).
  At equal distance the longer verb wins (研究制定实施 is draft, not 实施). A list
  after one verb (制定《A》、《B》等) thus shares it. When no verb precedes, a title
  followed directly by (的)贯彻落实/落实/执行/实施 (继续抓好《…》的贯彻落实,
  对《实施细则》落实情况) is implement. Otherwise other.
"""
from __future__ import annotations

import bisect
import heapq
import re
from typing import NamedTuple

from pipeline.core.lines import lines_containing
from pipeline.core.outline import Node, Outline, Task

OPEN, CLOSE = "《", "》"
_TITLE_MARKS = re.compile(f"[{OPEN}{CLOSE}]")

DRAFT_VERBS = ("制定", "出台", "研究制定", "修订", "完善", "制定出台", "研究制定实施", "制订", "起草",
               "拟定", "研究出台", "修改", "修订完善")
IMPLEMENT_VERBS = ("贯彻", "落实", "执行", "实施", "根据", "按照", "贯彻落实", "认真执行", "贯彻执行",
                   "贯彻实施", "依据", "依照", "遵照", "遵守")
ACTIONS = ("draft", "implement", "other")
_VERB_ACTION = {**{verb: "implement" for verb in IMPLEMENT_VERBS}, **{verb: "draft" for verb in DRAFT_VERBS}}
_VERB_PATTERN = re.compile("|".join(sorted(map(re.escape, _VERB_ACTION), key=len, reverse=True)))
_VERBS_BY_FIRST_CHAR: dict[str, list[tuple[str, str]]] = {}
for _verb, _action in _VERB_ACTION.items():
    _VERBS_BY_FIRST_CHAR.setdefault(_verb[0], []).append((_verb, _action))
_VERB_FIRST_CHAR = re.compile(f"[{re.escape(''.join(_VERBS_BY_FIRST_CHAR))}]")
_IMPLEMENTED_AFTER = re.compile(r"^的?(?:贯彻落实|贯彻执行|贯彻实施|贯彻|落实|执行|实施)")
CLAUSE_ENDS = "，。；：！？,;:!?"
_CLAUSE_MARK = re.compile(f"[{re.escape(CLAUSE_ENDS)}]")

KNOWN_ISSUERS = frozenset({
    "中央", "党中央", "中共中央", "国务院", "中办", "国办", "两办", "中共中央办公厅", "国务院办公厅",
    "中纪委", "中央纪委", "监察部", "中组部", "中央组织部", "中宣部", "中央宣传部",
    "全国人大", "全国人大常委会", "最高人民法院", "最高人民检察院",
    "教育部", "财政部", "审计署", "国土资源部", "国家发改委", "发改委",
    "住房和城乡建设部", "人力资源和社会保障部", "工业和信息化部",
    "省委", "省政府", "省纪委", "省委办", "省府办", "省政府办", "省委办公厅", "省政府办公厅",
    "省人大常委会", "省监察厅", "浙江省委", "浙江省政府", "中共浙江省委", "浙江省人民政府",
    "市委", "市政府", "市纪委", "市委办", "市府办", "市政府办", "市委办公室", "市政府办公室",
    "市人大常委会", "市监察局", "台州市委", "台州市政府", "中共台州市委", "台州市人民政府",
    "县委", "县政府",
})
_BODY_SUFFIXES = ("委员会", "委", "部", "院", "厅", "局", "署", "政府", "中央", "委办", "府办", "办公厅", "办公室")
_BODY_SUFFIX = re.compile(f"(?:{'|'.join(_BODY_SUFFIXES)})$")
# Words that end like a body but are not one.
_NOT_BODIES = ("干部", "全部", "内部", "外部", "局部", "本部", "各部", "书院", "医院", "学院", "剧院")
_FUNCTION_WORDS = ("认真", "严格", "继续", "全面", "深入", "进一步", "学习", "对照", "参照", "转发", "印发",
                   "下发", "颁布", "发布", "抓好", "违反", "宣传", "对", "把", "将", "按", "由", "和", "及",
                   "与", "同", "以", "的", "在", "要", "是", "、")
_PREFIX_ENDS = tuple(sorted(set(_VERB_ACTION) | set(_FUNCTION_WORDS), key=len, reverse=True))
_JOINERS = "、和及"
_ISSUER_RUN = re.compile(r"[\u4e00-\u9fff、]+$")
_MAX_ISSUER = 12
# Bodies joined by 、 before one title never run longer than a few issuers.
_ISSUER_WINDOW = 4 * (_MAX_ISSUER + 1)


class TitleSpan(NamedTuple):
    start: int  # index of the outer 《 in the line
    end: int  # index of its matching 》

    def title(self, text: str) -> str:
        return text[self.start + 1:self.end]


class Citation(NamedTuple):
    citation_id: str
    section_id: str | None
    task_id: str | None
    title: str
    issuer_prefix: str | None
    action: str
    line: int


def find_titles(text: str) -> list[TitleSpan]:
    """Outermost matched 《…》 pairs of one line, in order; unmatched marks are ignored."""
    stack: list[int] = []
    pairs: list[TitleSpan] = []
    if OPEN not in text:
        return pairs
    for found in _TITLE_MARKS.finditer(text):
        if found.group() == OPEN:
            stack.append(found.start())
        elif stack:
            pairs.append(TitleSpan(stack.pop(), found.start()))
    pairs.sort(key=lambda pair: pair.start)
    outer: list[TitleSpan] = []
    for pair in pairs:
        if outer and pair.start < outer[-1].end:
            continue  # nested in the previous outer title
        outer.append(pair)
    return [pair for pair in outer if pair.end > pair.start + 1]


def _mask(text: str, spans: list[TitleSpan]) -> str:
    """The line with every title's inside blanked, so its words are neither verbs nor punctuation."""
    pieces, at = [], 0
    for span in spans:  # outermost titles: in order, never overlapping
        pieces += (text[at:span.start + 1], "□" * (span.end - span.start - 1))
        at = span.end
    pieces.append(text[at:])
    return "".join(pieces)


def _body_at_end(text: str) -> str | None:
    """The issuing body that ``text`` ends with, or None (one body, no joiner)."""
    known = next((text[-size:] for size in range(min(len(text), 14), 1, -1) if text[-size:] in KNOWN_ISSUERS),
                 None)
    generic = None
    # Every candidate ends where the text ends: whether it ends like a body is one test for all sizes
    # (the candidate must still be long enough to hold the suffix, hence the regex on it then).
    if text.endswith(_BODY_SUFFIXES):
        for size in range(2, min(len(text), _MAX_ISSUER) + 1):
            candidate = text[-size:]
            if (_BODY_SUFFIX.search(candidate) and not candidate.endswith(_NOT_BODIES)
                    and candidate[0] not in _JOINERS and "、" not in candidate and not _VERB_PATTERN.search(candidate)
                    and (size == len(text) or text[:-size].endswith(_PREFIX_ENDS))):
                generic = candidate
                break
    found = [body for body in (known, generic) if body]
    return max(found, key=len) if found else None


def issuer_prefix(before: str) -> str | None:
    """The body or bodies printed right before a 《: ``认真落实中办、国办`` → ``中办、国办``."""
    run = _ISSUER_RUN.search(before)
    if not run:
        return None
    rest = run.group()
    parts: list[str] = []
    while True:
        body = _body_at_end(rest)
        if body is None:
            break
        parts.insert(0, body)
        rest = rest[:-len(body)]
        if not rest or rest[-1] not in _JOINERS or _body_at_end(rest[:-1]) is None:
            break
        parts.insert(0, rest[-1])
        rest = rest[:-1]
    return "".join(parts) or None


def _verb_occurrences(text: str) -> list[tuple[int, int, int, str]]:
    """Every verb in ``text`` as (end, length, start, action), sorted: one pass per line."""
    found = []
    for first in _VERB_FIRST_CHAR.finditer(text):
        start = first.start()
        for verb, action in _VERBS_BY_FIRST_CHAR[first.group()]:
            if text.startswith(verb, start):
                found.append((start + len(verb), len(verb), start, action))
    found.sort()
    return found


def _nearest_action(verbs: list[tuple[int, int, int, str]], clause_start: int, end: int) -> str | None:
    """The action of the verb ending nearest before ``end`` (the longer one at a tie), if it lies in the clause.

    A verb cannot span a clause mark (verbs are all CJK), so when the nearest verb
    starts before the clause, every earlier one does too."""
    index = bisect.bisect_right(verbs, end, key=lambda verb: verb[0]) - 1
    if index < 0:
        return None
    _, _, start, action = verbs[index]
    return action if start >= clause_start else None


def action_of(clause_before: str, after: str = "") -> str:
    """draft, implement or other, from the clause text before the title (titles masked) and the text after."""
    action = _nearest_action(_verb_occurrences(clause_before), 0, len(clause_before))
    if action is not None:
        return action
    return "implement" if _IMPLEMENTED_AFTER.match(after) else "other"


def _clause_start(clause_marks: list[int], start: int) -> int:
    index = bisect.bisect_left(clause_marks, start) - 1
    return clause_marks[index] + 1 if index >= 0 else 0


def clause_before(masked: str, start: int) -> str:
    """Text of the clause that runs up to index ``start`` of a masked line."""
    return masked[_clause_start([found.start() for found in _CLAUSE_MARK.finditer(masked)], start):start]


class _LineIndex:
    """The deepest node and the governing task of each line, asked for in non-decreasing line order.

    A sweep: nodes and tasks enter a heap when their first line is reached and leave it
    (lazily) once their last line is passed, so n nodes and q lines cost O((n + q) log n)
    instead of a scan of every node per line. The answers are those of the plain
    definitions: the deepest node holding the line (the first listed at equal depth), else
    the last listed node starting at or before it; the first listed task whose governed
    text (line_start up to its first unit line) holds the line.
    """

    def __init__(self, nodes: list[Node], tasks: list[Task]):
        self._nodes = sorted(enumerate(nodes), key=lambda pair: pair[1].line_start)
        self._tasks = sorted(enumerate(tasks), key=lambda pair: pair[1].line_start)
        self._next_node = self._next_task = 0
        self._holding_nodes: list[tuple[int, int, Node]] = []  # (-level, list order, node)
        self._holding_tasks: list[tuple[int, Task]] = []  # (list order, task)
        self._last_started: tuple[int, Node] | None = None  # the latest listed node started so far
        self._line = 0

    def _advance(self, line: int) -> None:
        if line < self._line:
            raise ValueError("lines must be asked for in order")
        self._line = line
        while self._next_node < len(self._nodes) and self._nodes[self._next_node][1].line_start <= line:
            order, node = self._nodes[self._next_node]
            heapq.heappush(self._holding_nodes, (-node.level, order, node))
            if self._last_started is None or order > self._last_started[0]:
                self._last_started = (order, node)
            self._next_node += 1
        while self._next_task < len(self._tasks) and self._tasks[self._next_task][1].line_start <= line:
            order, task = self._tasks[self._next_task]
            heapq.heappush(self._holding_tasks, (order, task))
            self._next_task += 1
        while self._holding_nodes and self._holding_nodes[0][2].line_end < line:
            heapq.heappop(self._holding_nodes)
        while self._holding_tasks and self._holding_tasks[0][1].governed_until <= line:
            heapq.heappop(self._holding_tasks)

    def node_at(self, line: int) -> Node | None:
        self._advance(line)
        if self._holding_nodes:
            return self._holding_nodes[0][2]
        return self._last_started[1] if self._last_started else None

    def task_at(self, line: int) -> Task | None:
        self._advance(line)
        return self._holding_tasks[0][1] if self._holding_tasks else None


def parse_citations(text: str, outline: Outline) -> list[Citation]:
    """Every outermost 《…》 title of the decoded text, in reading order."""
    # The header ends at the first heading of the outline (an attachment or a table may be listed before it).
    first_chapter = min((node.line_start for node in outline.nodes if node.level > 0), default=None)
    counters: dict[str, int] = {}
    citations: list[Citation] = []
    index = _LineIndex(outline.nodes, outline.tasks)
    clause_tasks: dict[int, list[Task]] = {}
    for task in outline.tasks:
        if task.clause is not None and task.unit_lines and len({u.line for u in task.unit_lines}) == 1:
            clause_tasks.setdefault(task.unit_lines[0].line, []).append(task)
    for line in lines_containing(text, OPEN):
        spans = find_titles(line.text)
        if not spans:
            continue
        in_header = first_chapter is None or line.number < first_chapter
        node = None if in_header else index.node_at(line.number)
        task = None if in_header else index.task_at(line.number)
        scope = node.section_id if node else "0"
        clauses = [] if in_header else _clause_ends(line.text, clause_tasks.get(line.number, []))
        masked = _mask(line.text, spans)
        # Verbs and clause marks are found once per line: a line listing thousands
        # of titles must not cost thousands of scans of the line.
        verbs = _verb_occurrences(masked)
        clause_marks = [found.start() for found in _CLAUSE_MARK.finditer(masked)]
        for span in spans:
            action = _nearest_action(verbs, _clause_start(clause_marks, span.start), span.start)
            if action is None:
                action = "implement" if _IMPLEMENTED_AFTER.match(line.text[span.end + 1:]) else "other"
            counters[scope] = counters.get(scope, 0) + 1
            citations.append(Citation(
                citation_id=f"{scope}-c{counters[scope]}",
                section_id=node.section_id if node else None,
                task_id=_task_of(clauses, span, task),
                title=span.title(line.text),
                issuer_prefix=issuer_prefix(masked[max(0, span.start - _ISSUER_WINDOW):span.start]),
                action=action,
                line=line.number,
            ))
    return citations


def _clause_ends(text: str, tasks: list[Task]) -> list[tuple[int, Task]]:
    """(end of its clause in the line, task) for the clause tasks of one line, in printed order."""
    ends, at = [], 0
    for task in tasks:
        found = text.find(task.clause, at)
        if found == -1:
            continue  # a clause run on from a unit line: not printed as such on this line
        at = found + len(task.clause)
        ends.append((at, task))
    return ends


def _task_of(clauses: list[tuple[int, Task]], span: TitleSpan, holding: Task | None) -> str | None:
    task = next((task for end, task in clauses if end > span.start), holding)
    return task.task_id if task else None


def citation_rows(text: str, outline: Outline, doc_id: str, source_sha256: str) -> list[dict]:
    """Rows of the citations table, in schema column order."""
    return [{
        "doc_id": doc_id, "citation_id": c.citation_id, "section_id": c.section_id, "task_id": c.task_id,
        "title": c.title, "issuer_prefix": c.issuer_prefix, "action": c.action, "line": c.line,
        "source_sha256": source_sha256,
    } for c in parse_citations(text, outline)]
