"""find_amount: the examples from the parsing brief, garbage that must give None, and spans inside sentences."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from handlers.parsing.amounts import Amount, find_amount

# text (the whole text is the money expression) → (value, currency)
FOUND = [
    ("50万", "500000", "CNY"),
    ("五十万", "500000", "CNY"),
    ("三十万", "300000", "CNY"),
    ("两百万", "2000000", "CNY"),
    ("66.5万", "665000", "CNY"),
    ("1.2亿", "120000000", "CNY"),
    ("80w", "800000", "CNY"),
    ("80W", "800000", "CNY"),
    ("3.5k", "3500", "CNY"),
    ("$120k", "120000", "USD"),
    ("¥80000", "80000", "CNY"),
    ("￥80000", "80000", "CNY"),
    ("120,000元", "120000", "CNY"),
    ("250,000 USD", "250000", "USD"),
    ("3000000 元", "3000000", "CNY"),
    ("48万", "480000", "CNY"),
    ("USD 50k", "50000", "USD"),
    ("50万美元", "500000", "USD"),
    ("RMB 20万", "200000", "CNY"),
    ("120000", "120000", "CNY"),          # the value of a "预算=" label
    ("HK$ 1,000", "1000", "HKD"),
    ("€1.5 million", "1500000", "EUR"),
    ("人民币五十万元", "500000", "CNY"),
]

# Nothing here is money, or it is money we cannot read without guessing.
NOT_FOUND = [
    "",
    "abc",
    "五十万万",            # doubled unit
    "50万万",
    "2026-SH-007",         # opportunity ID
    "13800138000",         # phone
    "12月15日",            # date
    "2026/12/28",
    "今天下午三点开会",
    "千万不要忘了",        # "must not", not ten million
    "50-80万",             # a range is not one amount
    "5km",
    "120",                 # a bare number shorter than 4 digits
    "5M",                  # 'M' alone could be metres or minutes: needs a currency
    "客户有500万用户",     # counts users, not money
]

# (text, value, currency, the text the span must cut out)
IN_SENTENCE = [
    ("报备 腾讯 联系人 王磊 13800138000 预算 50万 预计 12月底成交", "500000", "CNY", "50万"),
    ("budget 120000", "120000", "CNY", "120000"),
    ("预算=120000", "120000", "CNY", "120000"),
    ("客户预算大概80w，下周二演示", "800000", "CNY", "80w"),
    ("2026-SH-007 跟进：报价 $120k，12月15日签约", "120000", "USD", "$120k"),
    ("Budget is USD 50k, close by Dec 20", "50000", "USD", "USD 50k"),
    ("合同金额 1.2亿元，2026/12/28 前付款", "120000000", "CNY", "1.2亿元"),
]

HOSTILE = [
    "1" * 10_000,
    "五十" * 5_000,
    "万" * 10_000,
    "$" * 10_000,
    "😀🔥💰" * 3_000,
    "\x00\x01\x1b[31m\x7f",
    "'; DROP TABLE opportunities; --",
    "预算 " * 2_000,
    "1,2,3,4,5," * 1_000,
]


@pytest.mark.parametrize("text,value,currency", FOUND)
def test_finds_whole_expression(text, value, currency):
    found = find_amount(text)
    assert found == Amount(value=Decimal(value), currency=currency, span=(0, len(text)))


@pytest.mark.parametrize("text", NOT_FOUND)
def test_garbage_gives_none(text):
    assert find_amount(text) is None


@pytest.mark.parametrize("text,value,currency,cut", IN_SENTENCE)
def test_inside_a_sentence(text, value, currency, cut):
    found = find_amount(text)
    assert (found.value, found.currency) == (Decimal(value), currency)
    assert text[found.span[0]:found.span[1]] == cut


def test_hostile_input_never_raises():
    for text in HOSTILE:
        assert find_amount(text) is None, text[:20]


def test_random_input_never_raises():
    rng = random.Random(20261102)
    alphabet = "0123456789.,-/$¥￥元万亿千百kKwWmM 十五两零一二三美金USDRMB预算budget年月日号\n\t😀\x00"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        found = find_amount(text)
        if found is not None:
            start, end = found.span
            assert 0 <= start < end <= len(text) and found.value > 0


@pytest.mark.parametrize("text, value, currency", [
    ("budget around 45 lakhs INR", 4_500_000, "INR"),
    ("budget - 80L", 8_000_000, "INR"),           # lakh says rupees when nothing else does
    ("budget is uh 12 lakhs they want", 1_200_000, "INR"),
    ("budget 5M pesos approx", 5_000_000, "PHP"),
    ("预算大概新台币300万", 3_000_000, "TWD"),
])
def test_south_asian_and_other_regional_amounts(text, value, currency):
    amount = find_amount(text)
    assert (amount.value, amount.currency) == (value, currency)
