"""cn_to_int: Chinese numerals as they number articles and date signatures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.numerals import cn_to_int

_DIGITS = "零一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """The standard written form of 1 <= n < 10**8 (十一, not 一十一; 一百零三; 一万零五十)."""
    assert 0 < n < 10**8

    def below_10000(m: int, leading: bool) -> str:
        out, zero = [], False
        for unit, char in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = m // unit % 10
            if d == 0:
                zero = bool(out) or not leading
                continue
            if zero and (out or not leading):
                out.append("零")
            zero = False
            if not (unit == 10 and d == 1 and leading and not out):
                out.append(_DIGITS[d])
            out.append(char)
        return "".join(out)

    high, low = divmod(n, 10_000)
    if not high:
        return below_10000(low, leading=True)
    text = below_10000(high, leading=True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10000(low, leading=True)
    return text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21),
        ("一百", 100), ("一百零三", 103), ("一百一十", 110), ("一千零五", 1005), ("一千零十", 1010),
        ("九千九百九十九", 9999), ("一万", 10000), ("两万五", 25000), ("三亿零五万", 300_050_000),
        ("两", 2), ("两百", 200), ("〇", 0), ("零", 0), ("二〇二六", 2026), ("二○二二", 2022),
        ("一百一", 110), ("三千五", 3500), ("壹佰零叁", 103),
        ("12", 12), ("１２", 12), ("０", 0), (" 十一\u3000", 11),
    ],
)  # fmt: skip
def test_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "   ", "第三", "十十", "百", "千", "万", "一十百", "零五", "一万零", "百十", "1.5", "12a", "三、",
     "一百零零三", "十二万万", "负一", "二两三",
     "٣", "४२", "²"],  # digits of other scripts (str.isdigit says yes) are no Chinese numerals
)  # fmt: skip
def test_not_numerals(text):
    assert cn_to_int(text) is None


@pytest.mark.parametrize("value", [None, 3, b"\xe4\xb8\x80"])
def test_non_text_is_none(value):
    assert cn_to_int(value) is None


def test_inverse_writes_standard_forms():
    assert [int_to_cn(n) for n in (1, 10, 11, 21, 103, 110, 1005, 1010, 10050)] == [
        "一", "十", "十一", "二十一", "一百零三", "一百一十", "一千零五", "一千零一十", "一万零五十",
    ]  # fmt: skip


@given(st.integers(min_value=1, max_value=9999))
def test_round_trip_below_ten_thousand(n):
    assert cn_to_int(int_to_cn(n)) == n


@given(st.integers(min_value=1, max_value=10**8 - 1))
def test_round_trip_with_wan(n):
    assert cn_to_int(int_to_cn(n)) == n


@given(st.integers(min_value=0, max_value=10**6))
def test_arabic_and_fullwidth_digits(n):
    fullwidth = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert cn_to_int(str(n)) == n
    assert cn_to_int(fullwidth) == n


@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿第、 1", max_size=12))
def test_never_raises(text):
    value = cn_to_int(text)
    assert value is None or (isinstance(value, int) and value >= 0)
