"""The replica's words: sentences and numbered 公文 text drawn from `phrases` with a seeded
generator, Chinese numerals and dates as the documents print them, letter-spaced names.
"""

from __future__ import annotations

import random
from datetime import date

from replica import phrases as P


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (enough for any label the replica prints)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else cn_number(rest) if rest >= 20 else "一" + cn_number(rest))
    return digits[n // 100] + "百" + tail


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def spaced(name: str) -> str:
    """交通运输部 -> 交 通 运 输 部 (or 水  利  部): how signature blocks letter-space short names."""
    return (" " if len(name) > 3 else "  ").join(name)


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(P.VERBS)}{rng.choice(P.OBJECTS)}，{rng.choice(P.PURPOSES)}。"


def sentences(rng: random.Random, lo: int = 1, hi: int = 3) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(lo, hi)))


def numbered(rng: random.Random) -> tuple[list[str], list[str]]:
    """A 公文 full text: 一、heading / （一）heading。text / 1.text / （1）text. Returns (paragraphs, labels).

    （一） numbering runs on across sections, as in real notices (（四） under 二、).
    """
    paras, labels, sub = [], [], 0
    headings = rng.sample(P.SECTION_HEADINGS, rng.randint(2, 4))
    for i, heading in enumerate(headings, 1):
        paras.append(f"{cn_number(i)}、{heading}")
        labels.append(f"{cn_number(i)}、")
        for _ in range(rng.randint(1, 3)):
            sub += 1
            label = f"（{cn_number(sub)}）"
            paras.append(f"{label}{rng.choice(P.SUBSECTION_HEADINGS)}。{sentences(rng)}")
            labels.append(label)
            if rng.random() < 0.3:
                for n in range(1, rng.randint(2, 3) + 1):
                    paras.append(f"{n}.{sentences(rng, 1, 2)}")
                    labels.append(f"{n}.")
                    if n == 1 and rng.random() < 0.4:
                        for k in (1, 2):
                            paras.append(f"（{k}）{sentence(rng)}")
                            labels.append(f"（{k}）")
    return paras, labels
