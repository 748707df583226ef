"""Segment counting (what a message costs) and which replies are opt-outs."""

import pytest

from crm.sms.consent import is_opt_out
from crm.sms.segments import count


def test_plain_latin_text_is_gsm7_with_160_characters_in_one_segment():
    assert count("a" * 160) == (160, "GSM-7", 160, 1)
    assert count("a" * 161).segments == 2
    assert count("a" * 306).segments == 2  # 153 a part once split
    assert count("a" * 307).segments == 3


def test_gsm7_extension_characters_take_two_septets():
    text = "€" * 80
    assert count(text).encoding == "GSM-7"
    assert count(text).units == 160
    assert count(text + "a").segments == 2


def test_any_chinese_character_forces_ucs2_with_70_then_67_a_segment():
    assert count("a" * 69 + "好").encoding == "UCS-2"
    assert count("好" * 70).segments == 1
    assert count("好" * 71).segments == 2
    assert count("好" * 134).segments == 2
    assert count("好" * 135).segments == 3


def test_an_emoji_counts_as_two_ucs2_units():
    assert count("🚗" * 35) == (35, "UCS-2", 70, 1)
    assert count("🚗" * 36).segments == 2


def test_the_signature_brackets_alone_make_english_text_ucs2():
    assert count("【Store】Hello").encoding == "UCS-2"


@pytest.mark.parametrize(
    "reply",
    ["T", "t", "TD", "td。", "退订", " 退订 ", "退订！", "STOP", "Stop.", "unsubscribe"]
    # Typed on a Chinese keyboard in full-width mode.
    + ["ＴＤ", "ｔｄ", "Ｔ", "ＳＴＯＰ", "ｔｄ！", "\u3000ＴＤ\u3000", "ＯＰＴ　ＯＵＴ"],
)
def test_a_whole_reply_of_an_opt_out_word_is_an_opt_out(reply):
    assert is_opt_out(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "我想问一下退订了保养套餐怎么退款",
        "please don't stop sending me reminders",
        "TD是什么意思？",
        "ＴＤ是什么意思？",
        "好的，谢谢",
        "",
    ],
)
def test_a_sentence_that_merely_contains_the_word_is_not_an_opt_out(reply):
    assert not is_opt_out(reply)
