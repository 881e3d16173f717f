"""The benchmark's corpus generator (benchmarks/perturbed_corpus.py): deterministic, distinct, valid notices."""
from __future__ import annotations

import random
import sys
from pathlib import Path

from pipeline.core.notice import parse_notice

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import perturbed_corpus  # noqa: E402

# The bundled notice's chapter headings, as printed (lines 8, 19, 36, 68, 103, 137, 208, 225).
CHAPTERS = ["总体要求", "加大教育力度", "加强制度建设", "强化监督制约", "深化作风建设", "推进改革创新",
            "坚决惩治腐败", "切实加强领导"]


def test_notices_are_deterministic_distinct_and_filed_in_folders_of_100():
    first = perturbed_corpus.build_corpus(None, variants=4, seed=3)
    again = perturbed_corpus.build_corpus(None, variants=4, seed=3)
    numbers = [0, 1, 2, 3, 4, 99, 100, 101]
    notices = [first.notice(n) for n in numbers]
    assert notices == [again.notice(n) for n in numbers]
    assert len({text for _, text in notices}) == len(numbers)
    assert [path for path, _ in notices][4:] == ["batch-000/n00004-taizhou.txt", "batch-000/n00099-taizhou.txt",
                                                 "batch-001/n00100-taizhou.txt", "batch-001/n00101-taizhou.txt"]
    # Notice 4 is variant 0 again (4 variants, one base), apart from its own numbered sentence.
    assert notices[4][1].replace("本件编号4。", "") == notices[0][1].replace("本件编号0。", "")


def test_the_check_reads_units_for_surface_steps_and_roles_for_renames():
    text = perturbed_corpus.BUNDLED.read_text(encoding="utf-8")
    registry = perturbed_corpus.registry()
    before = perturbed_corpus.Reading.of(text, registry)
    # 市直机关工委 co-operates on the first task; 市商务局 is in the registry and not printed in the notice.
    renamed = perturbed_corpus.Reading.of(text.replace("协办单位：市直机关工委", "协办单位：市商务局", 1), registry)
    assert renamed.same_as(before, "rename")
    assert not renamed.same_as(before, "brackets")  # a surface step must leave every unit as it was read
    colon = perturbed_corpus.Reading.of(text.replace("牵头单位：", "牵头单位:"), registry)
    assert colon.same_as(before, "colon")
    lost = perturbed_corpus.Reading.of(text.replace("协办单位：市直机关工委、", "协办单位：", 1), registry)
    assert not lost.same_as(before, "rename")  # one co-operating unit fewer
    assert not lost.same_as(before, "shuffle")


def test_shuffle_swaps_two_chapters_and_prints_the_numbers_in_order():
    text = perturbed_corpus.BUNDLED.read_text(encoding="utf-8")
    shuffled = perturbed_corpus.shuffle(text, random.Random(1))
    outline = parse_notice(shuffled.encode("utf-8"), "x.txt", perturbed_corpus.registry())
    chapters = [row for row in outline.tables["sections"] if row["level"] == 1]
    assert [row["label"] for row in chapters] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    headings = [row["heading"] for row in chapters]
    assert headings != CHAPTERS and sorted(headings) == sorted(CHAPTERS)
    assert headings[-1] == CHAPTERS[-1]  # the last chapter runs on to the end and stays where it is


def test_a_step_that_changes_the_reading_is_dropped(monkeypatch):
    # A broken "colon" step: it deletes the first lead label, so one block loses its lead.
    monkeypatch.setattr(perturbed_corpus, "_on_unit_lines",
                        lambda text, change: text.replace("牵头单位：", "", 1) if change == "colon" else None)
    corpus = perturbed_corpus.build_corpus(None, variants=6, seed=2)
    assert corpus.stats["dropped"]["colon"] > 0
    assert corpus.stats["applied"]["colon"] == 0
    printed = perturbed_corpus.BUNDLED.read_text(encoding="utf-8").count("牵头单位：")
    for base in corpus.bases:
        for text, steps in base.variants:
            assert "colon" not in steps
            # A clause (layout) keeps its label too, inside brackets.
            assert text.count("牵头单位：") + text.count("牵头单位:") == printed
