"""Chinese numerals and dates as printed in notices (pipeline/core/marks.py, header.py): every
digit, tens, digit strings, and the dates they make. Expected values are read off the characters."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.header import parse_date
from pipeline.core.marks import chinese_numeral

DIGITS = "一二三四五六七八九"


@pytest.mark.parametrize("value", range(1, 10))
def test_each_digit(value):
    assert chinese_numeral(DIGITS[value - 1]) == value


@pytest.mark.parametrize("value", range(1, 10))
def test_each_digit_in_the_tens_and_the_units(value):
    digit = DIGITS[value - 1]
    assert chinese_numeral(f"{digit}十") == value * 10
    assert chinese_numeral(f"十{digit}") == 10 + value
    assert chinese_numeral(f"{digit}十{digit}") == value * 11


def test_digit_strings_read_as_positional_numbers():
    assert chinese_numeral("二〇〇八") == 2008
    assert chinese_numeral("二零一九") == 2019
    assert chinese_numeral("一九九九") == 1999


@pytest.mark.parametrize("text", ["十十", "一二十", "", "百"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        chinese_numeral(text)


def test_dates_in_chinese_numerals():
    assert parse_date("二〇〇九年九月二十九日") == dt.date(2009, 9, 29)
    assert parse_date("二〇〇八年十二月十九日") == dt.date(2008, 12, 19)
    assert parse_date("2008年2月30日") is None
