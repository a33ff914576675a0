"""Issue 11, stop 30 (cmplzh30): kinds of miss on the Mandarin complaint trigger and section D of fresh calls
(holdout14 read, holdouts 10-13 as they were fresh), each written here in other industries and words than the
calls it came from, each with a twin that must not match.

complaint: a swear word said of another cause just before it — the weather, another firm — is the customer's
mood, not a grievance against the service; the same word said of the service still is. D1: empathy with words
between (搁谁身上都…) and the fault owned as the company's (是我们没做到位), not the fault put on the customer.
D3: the number the reply goes to read back with words around its digits and more check tags (还打这个一五八的
号码可以吧); not a number the agent looks up.
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, finding

_GRIPE = (CUSTOMER, "你们这洗碗机才用了半个月就不出热水了 太不像话了")

ZH30_RULES = [
    # complaint: a swear word about the weather or another firm starts nothing; about the service it does
    ([(CUSTOMER, "这破天气刮了三天台风 快递全他妈停了 我想改个收货时间")], "complaint", "fail"),
    ([(CUSTOMER, "之前别家装的那个锁 他妈的一碰就松 想问问你们那款多少钱")], "complaint", "fail"),
    ([(CUSTOMER, "你们这快递他妈的一个礼拜了还没动")], "complaint", "pass"),
    # D1
    ([_GRIPE, (AGENT, "这事儿放谁身上都窝火 我先帮您登记一下")], "D1", "pass"),
    ([_GRIPE, (AGENT, "这个确实是我们安装的时候没做到位")], "D1", "pass"),
    ([_GRIPE, (AGENT, "我先帮您登记一下型号")], "D1", "fail"),
    ([_GRIPE, (AGENT, "是我们师傅说您没做好保养")], "D1", "fail"),
    # D3
    ([_GRIPE, (AGENT, "抱歉 还打您这个一五八的号码可以吧")], "D3", "pass"),
    ([_GRIPE, (AGENT, "抱歉 我给您查一下这个号码名下的订单")], "D3", "fail"),
]


@pytest.mark.parametrize("turns, check, expected", ZH30_RULES,
                         ids=[f"{p[1]}-{i}" for i, p in enumerate(ZH30_RULES)])
def test_zh30_kinds(turns, check, expected):
    found = finding("zh", turns, check)
    assert found.outcome == expected, found.rule
