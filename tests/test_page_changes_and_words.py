"""The release page's "what changed" near the top, the per-release marks file notice pages load,
values shown as words (是/否), and the chart's heads, counts and rows."""
from __future__ import annotations

import re
import shutil

import pytest

from pipeline.site import DEFAULT_BASE_URL, write_release_site
from pipeline.site.changes_view import MARKS_FILE, change_marks, change_target
from pipeline.site.chart import chart_svg
from tests.test_pages import NOTICE, site_inputs


@pytest.fixture(scope="module")
def release(built_release):
    return (built_release / "latest").resolve()


def test_a_change_points_at_its_notice_and_anchor_whether_ids_carry_the_doc_id_or_not():
    one = ["only"]
    # One notice in both releases: ids are the notice's own (task 2.1; assignment task/role/unit).
    assert change_target({"entity": "task", "change": "text_changed", "old_id": "2.1", "new_id": "2.1"}, one) \
        == ("new", "only", "t-2.1")
    assert change_target({"entity": "assignment", "change": "added", "old_id": "", "new_id": "3.2/lead/市财政局"}, one) \
        == ("new", "only", "t-3.2")
    assert change_target({"entity": "section", "change": "added", "old_id": "", "new_id": "4.1"}, one) \
        == ("new", "only", "s-4.1")
    # Several notices: ids start with doc_id/, and a unit label may hold a slash.
    two = ["a", "b"]
    assert change_target({"entity": "assignment", "change": "removed", "old_id": "b/7/co/甲/乙办", "new_id": ""}, two) \
        == ("old", "b", "t-7")
    assert change_target({"entity": "document", "change": "metadata_changed", "old_id": "a", "new_id": "a"}, two) \
        == ("new", "a", "")
    # An unprefixed id among several notices cannot be placed: shown, not linked to a guess.
    assert change_target({"entity": "task", "change": "added", "old_id": "", "new_id": "7"}, two) is None


def test_marks_name_only_this_releases_tasks_and_sections_once_per_kind():
    changes = [{"entity": "task", "change": "text_changed", "old_id": "a/1", "new_id": "a/1"},
               {"entity": "assignment", "change": "added", "old_id": "", "new_id": "a/1/lead/甲"},
               {"entity": "assignment", "change": "added", "old_id": "", "new_id": "a/1/co/乙"},
               {"entity": "task", "change": "removed", "old_id": "b/9", "new_id": ""},
               {"entity": "section", "change": "renumbered", "old_id": "b/2", "new_id": "b/3"}]
    assert change_marks(changes, ["a", "b"]) == {"a": {"t-1": ["text_changed", "added"]},
                                                  "b": {"s-3": ["renumbered"]}}


def test_what_changed_is_near_the_top_links_each_change_and_notice_pages_load_the_marks(release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    tables, descriptor, _ = site_inputs(copy)
    changes = [{"entity": "task", "change": "text_changed", "old_id": "2.1", "new_id": "2.1",
                "detail": "-「<b>旧</b>」 +「新」"},
               {"entity": "task", "change": "removed", "old_id": "9.9", "new_id": "", "detail": "gone"}]
    before = (copy / "notices" / f"{NOTICE}.html").read_bytes()
    write_release_site(copy, tables, descriptor, changes, copy.name, DEFAULT_BASE_URL, "20000101T000000Z-prev")
    page = (copy / "index.html").read_text(encoding="utf-8")
    assert page.index('id="changes"') < page.index('id="about"') < page.index('id="downloads"')
    section = page[page.index('id="changes"'):page.index('id="about"')]
    assert "2 change(s) in 1 notice(s)" in section
    assert "<td>任务 task</td><td>文字修改 text changed</td><td>1</td>" in section
    assert f'<a href="notices/{NOTICE}.html#t-2.1">2.1</a>' in section
    assert f'<a href="../20000101T000000Z-prev/notices/{NOTICE}.html#t-9.9">9.9</a>' in section
    assert "&lt;b&gt;旧&lt;/b&gt;" in section and "<b>旧" not in section
    marks = (copy / MARKS_FILE).read_text(encoding="utf-8")
    assert marks.startswith(f'plandataChanged({{"{NOTICE}":{{"t-2.1":["text_changed"]}}}},')
    # The notice page itself does not depend on the change log: an unchanged one can be hard-linked.
    notice = (copy / "notices" / f"{NOTICE}.html").read_bytes()
    assert notice == before
    head = notice.decode()[:notice.decode().index("</head>")]
    assert head.index('src="../assets/marks.js"') < head.index(f'src="../{MARKS_FILE}"')
    assert f'<main data-doc="{NOTICE}">' in notice.decode()


def test_booleans_show_as_words_on_every_page(release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    tables, descriptor, changes = site_inputs(copy)
    write_release_site(copy, tables, descriptor, changes, copy.name, DEFAULT_BASE_URL)
    notice = (copy / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
    # The header's stale flag (false for a notice read this time) and each task's open_ended flag.
    assert re.search(r"<dt>沿用旧版 Stale</dt><dd>否</dd>", notice)
    assert re.search(r"<dt>含“等” Open-ended</dt><dd>(是|否)</dd>", notice)
    for path in [copy / "index.html", *(copy / "notices").glob("*.html")]:
        text = re.sub(r"<script[^>]*>.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r">\s*(True|False)\s*<", text), path.name


def test_the_chart_heads_its_columns_labels_its_counts_and_draws_no_empty_row():
    sections = [{"section_id": str(n), "parent_id": None, "level": 1, "label": f"第{n}章", "heading": f"第{n}部分标题很长很长很长"}
                for n in range(1, 31)]
    tasks = [{"task_id": str(n), "section_id": str(n)} for n in range(1, 31)]
    assignments = ([{"task_id": str(n), "role": "lead", "unit_id": None, "unit_label": "市财政局"} for n in range(1, 31)]
                   + [{"task_id": "30", "role": "co", "unit_id": None, "unit_label": "市审计局"},
                      # Only a role outside the vocabulary: nothing could be drawn, so no row.
                      {"task_id": "3", "role": "ghost-role", "unit_id": None, "unit_label": "某办"}])
    svg = chart_svg("d", sections, tasks, assignments, {"label:市财政局": "市财政局", "label:市审计局": "市审计局"})
    assert svg.count('class="col"') == 30 and "第30章" in svg
    assert '>第30部分标题…<title>第30章第30部分标题很长很长很长</title>' in svg
    assert re.findall(r'<text class="unit"[^>]*>([^<]+)<', svg) == ["市财政局", "市审计局"]
    assert svg.count('<text class="count"') == 31 and svg.count('<rect class="bar"') == 31
    assert "某办" not in svg
    # Each row's total beside its name, so a row scrolled away from its chapters is not blank.
    assert re.findall(r'<text class="row-total"[^>]*>(\d+)<', svg) == ["30", "1"]


def test_the_notice_list_pages_once_it_outgrows_the_release_page(monkeypatch):
    import pyarrow as pa

    from pipeline.site import notice_list

    documents = [{"doc_id": f"d{n}", "title": f"<i>通知{n}</i>", "issuer": "市委", "issue_date": None} for n in range(5)]
    tables = {"tasks": pa.table({"doc_id": ["d0", "d0", "d4"]})}
    assert notice_list.notice_list_pages(documents, tables, "t") == {}
    monkeypatch.setattr(notice_list, "LIST_PAGE_SIZE", 2)
    section = notice_list.notice_list_section(documents, tables)
    assert section.count('<a href="notices/') == 2 and "The first 2 of 5 notices" in section
    assert re.findall(r'href="(notice-list/\d\.html)">([^<]+)<', section) == [
        ("notice-list/1.html", "1–2"), ("notice-list/2.html", "3–4"), ("notice-list/3.html", "5–5")]
    pages = notice_list.notice_list_pages(documents, tables, "t")
    assert sorted(pages) == ["notice-list/1.html", "notice-list/2.html", "notice-list/3.html"]
    last = pages["notice-list/3.html"]
    assert '<a href="../notices/d4.html">&lt;i&gt;通知4&lt;/i&gt;</a>' in last and "<strong>5–5</strong>" in last
    assert "<td>1</td>" in last.split("d4.html")[1].split("</tr>")[0]  # d4's one task
