"""esc() is html.escape(str(value), quote=True) for every value, with a fast path for plain text."""
from __future__ import annotations

import html

import pytest

from pipeline.site.markup import esc


@pytest.mark.parametrize("value", ["市财政局", "甲&乙", "<b>", "a>b", '说"明"', "it's", "", 12, 1.5, "\u2028", True])
def test_esc_matches_html_escape(value):
    assert esc(value) == html.escape(str(value), quote=True)


def test_esc_of_none_is_empty():
    assert esc(None) == ""
