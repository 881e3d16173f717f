"""How the change log pairs the nodes of two releases (pipeline/changes/matching.py), tested on
hand-made nodes: the similarity threshold, levels, ties and the order of the matching steps
(the candidate bounds are tested in test_changes.py). Written to kill mutants that the amendment fixtures let survive."""
from __future__ import annotations

from pipeline.changes.matching import SIMILARITY, MatchNode, match_nodes, position_keys


def node(index: int, node_id: str, text: str, group: str = "2") -> MatchNode:
    return MatchNode(index, node_id, group, (text,), {})


def test_the_similarity_threshold_is_inclusive():
    # SequenceMatcher ratio = 2 * matches / total length: "abc" of 5 + 5 characters -> 0.6 exactly
    assert SIMILARITY == 0.6
    assert match_nodes([node(0, "1", "abcde")], [node(0, "2", "abcxy")]) == {0: 0}


def test_below_the_similarity_threshold_nodes_are_not_paired():
    # "abc" of 6 + 6 characters -> 0.5
    assert match_nodes([node(0, "1", "abcdef")], [node(0, "2", "abcxyz")]) == {}


def test_a_rewrite_in_place_keeps_its_id_whatever_the_similarity():
    assert match_nodes([node(0, "1", "abcdef")], [node(0, "1", "uvwxyz")]) == {0: 0}


def test_a_rewrite_in_place_needs_the_same_level():
    assert match_nodes([node(0, "1", "abcdef", "2")], [node(0, "1", "uvwxyz", "3")]) == {}


def test_levels_are_compared_by_value():
    # levels read from two files are equal strings but not the same objects
    old_level, new_level = "".join(["level", "-2"]), "".join(["level-", "2"])
    assert match_nodes([node(0, "1", "abcdef", old_level)], [node(0, "1", "uvwxyz", new_level)]) == {0: 0}
    assert match_nodes([node(0, "1", "abcdefgh", old_level)], [node(0, "2", "abcdefgX", new_level)]) == {0: 0}
    assert match_nodes([node(0, "1", "same", old_level)], [node(0, "2", "same", new_level)]) == {0: 0}


def test_similar_nodes_of_different_levels_are_not_paired():
    assert match_nodes([node(0, "1", "abcdefgh", "2")], [node(0, "2", "abcdefgX", "3")]) == {}


def test_identical_content_under_another_id_needs_the_same_level():
    assert match_nodes([node(0, "1", "same", "2")], [node(0, "2", "same", "3")]) == {}


def test_unchanged_beats_identical_content_elsewhere():
    # old 1 is unchanged under its id; old 2 had the same text and finds the other copy
    old = [node(0, "1", "same"), node(1, "2", "same")]
    new = [node(0, "9", "same"), node(1, "1", "same")]
    assert match_nodes(old, new) == {0: 1, 1: 0}


def test_identical_copies_pair_in_document_order():
    old = [node(0, "1", "same"), node(1, "2", "same")]
    new = [node(0, "3", "same"), node(1, "4", "same")]
    assert match_nodes(old, new) == {0: 0, 1: 1}


def test_the_most_similar_pair_wins():
    old = [node(0, "1", "abcdefghij")]
    new = [node(0, "2", "abcdefgXYZ"), node(1, "3", "abcdefghiX")]
    assert match_nodes(old, new) == {0: 1}


def test_on_a_tie_the_same_id_is_preferred():
    old = [node(0, "5", "abcdefghij")]
    new = [node(0, "4", "abcdefghiX"), node(1, "5", "abcdefghiY")]
    assert match_nodes(old, new) == {0: 1}


def test_on_a_tie_between_other_ids_the_earlier_node_wins():
    old = [node(0, "5", "abcdefghij")]
    new = [node(0, "3", "abcdefghiX"), node(1, "4", "abcdefghiY")]
    assert match_nodes(old, new) == {0: 0}


def test_a_node_is_paired_once():
    old = [node(0, "1", "abcdefghij"), node(1, "2", "abcdefghik")]
    new = [node(0, "3", "abcdefghiX")]
    assert match_nodes(old, new) == {0: 0}


def test_a_removed_node_sorts_after_the_new_position_of_its_predecessor():
    old = [node(0, "1", "one"), node(1, "2", "two"), node(2, "3", "three"), node(3, "4", "four")]
    new = [node(0, "1", "one"), node(1, "3", "three"), node(2, "5", "five")]
    pairs = match_nodes(old, new)
    assert pairs == {0: 0, 2: 1}
    old_keys, new_keys = position_keys(old, new, pairs)
    assert old_keys[0] == new_keys[0] and old_keys[2] == new_keys[1]
    # new 1, removed 2, new 3, removed 4, added 5
    assert sorted([new_keys[0], old_keys[1], new_keys[1], old_keys[3], new_keys[2]]) == \
        [new_keys[0], old_keys[1], new_keys[1], old_keys[3], new_keys[2]]


def test_a_removed_first_node_sorts_before_everything():
    old = [node(0, "1", "one"), node(1, "2", "two")]
    new = [node(0, "2", "two")]
    old_keys, new_keys = position_keys(old, new, match_nodes(old, new))
    assert old_keys[0] < new_keys[0]


def test_shingles_are_every_run_of_four_characters():
    assert node(0, "1", "abcdef").shingles == {"abcd", "bcde", "cdef"}
    assert node(0, "1", "abcdefghij").shingles == {"abcd", "bcde", "cdef", "defg", "efgh", "fghi", "ghij"}
    assert node(0, "1", "abcd").shingles == {"abcd"}
    assert node(0, "1", "ab").shingles == {"ab"}  # shorter than a shingle: the text itself


def _distinct(count: int, start: int, base: int) -> list[MatchNode]:
    # each filler is one CJK character repeated: no shingle in common with anything else
    return [node(start + i, f"x{start + i}", chr(base + i) * 12) for i in range(count)]


def _shared_by(copies: int):
    """An old node at rank 0 and new nodes far beyond its rank neighbours, ``copies`` of which share its
    one rare shingle run ("XYZWXYZW")."""
    from pipeline.changes.matching import NEIGHBOURS

    old = [node(0, "old", "XYZWXYZW" + chr(0x4e00) * 8)]
    fillers = _distinct(NEIGHBOURS + 10, 0, 0x5000)
    sharing = [node(len(fillers) + i, f"s{i}", "XYZWXYZW" + chr(0x6000 + i) * 8) for i in range(copies)]
    return old, fillers + sharing, len(fillers)


def test_a_shingle_in_four_new_nodes_still_names_candidates_far_from_the_rank():
    from pipeline.changes.matching import RARE_SHINGLE, _candidates

    assert RARE_SHINGLE == 4
    old, new, first_sharing = _shared_by(4)
    compared = {n.index for o, n in _candidates(old, new)}
    assert first_sharing in compared  # the nearest of the four sharing nodes, found by its shingles


def test_a_shingle_in_five_new_nodes_says_nothing():
    from pipeline.changes.matching import _candidates

    old, new, first_sharing = _shared_by(5)
    compared = {n.index for o, n in _candidates(old, new)}
    assert compared.isdisjoint(range(first_sharing, first_sharing + 5))


def test_rank_neighbours_are_three_either_side():
    from pipeline.changes.matching import NEIGHBOURS, _candidates

    assert NEIGHBOURS == 3
    olds = _distinct(10, 0, 0x5000)
    news = _distinct(20, 0, 0x7000)
    compared = sorted(n.index for o, n in _candidates(olds, news) if o.index == 5)
    assert compared == [2, 3, 4, 5, 6, 7, 8]
    assert sorted(n.index for o, n in _candidates(olds, news) if o.index == 0) == [0, 1, 2, 3]


def _voting(old_rank: int, sharing: dict[int, int]):
    """An old node at ``old_rank`` and 30 new nodes; new rank r shares ``sharing[r]`` rare shingle runs with it."""
    runs = ["ABCD", "EFGH", "IJKL"]
    olds = _distinct(old_rank, 0, 0x5000) + [node(old_rank, "old", "|".join(runs) + chr(0x4e00) * 6)]
    news = []
    for rank in range(30):
        shared = "|".join(runs[:sharing[rank]]) if rank in sharing else ""
        news.append(node(rank, f"n{rank}", shared + "#" + chr(0x7000 + rank) * 12))
    return olds, news


def test_more_shared_shingles_win_over_nearness():
    from pipeline.changes.matching import _candidates

    # rank 29 shares three runs; 12, 13 and 14 share one each and stand nearer to the old rank 20
    olds, news = _voting(20, {29: 3, 12: 1, 13: 1, 14: 1})
    compared = {n.index for o, n in _candidates(olds, news) if o.id == "old"}
    assert 29 in compared and {13, 14} <= compared and 12 not in compared


def test_among_equal_votes_the_nearest_ranks_win():
    from pipeline.changes.matching import _candidates

    # one shared run each; distances from rank 20: rank 0 is 20 away, 14, 15 and 16 are 6, 5 and 4 away
    olds, news = _voting(20, {0: 1, 14: 1, 15: 1, 16: 1})
    compared = {n.index for o, n in _candidates(olds, news) if o.id == "old"}
    assert {14, 15, 16} <= compared and 0 not in compared


def test_long_texts_are_compared_without_difflib_autojunk():
    """difflib's autojunk ignores characters frequent in a text of 200 or more (each of 的了是在和有 here),
    and would rate these two texts of 400 characters, which differ by one inserted character, at 0.5."""
    import random

    rng = random.Random(1)
    text = "".join(rng.choice("的了是在和有") for _ in range(400))
    old = [node(0, "1", text)]
    new = [node(0, "2", text[:200] + "中" + text[200:])]
    assert match_nodes(old, new) == {0: 0}
