"""The Mandarin complaint trigger's rules on calls: wasted effort the customer arranges to avoid is
no grievance, wasted effort suffered is one (rules alone, so the classifier cannot blur the answer)."""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, finding


@pytest.mark.parametrize("said, expected", [
    ("那我周六直接去营业厅办 省得白跑一趟", "fail"),
    ("您先帮我看看库存 免得白等一下午", "fail"),
    ("行 那我就不过去了 不用白跑了", "fail"),
    ("上礼拜约好上门 结果我白等了一天", "pass"),
    ("照你们说的去了网点 白跑一趟", "pass"),
])
def test_wasted_effort_avoided_is_no_complaint(rules_only, said, expected):
    found = finding("zh", [(AGENT, "您好 这里是客服中心"), (CUSTOMER, said)], "complaint")
    assert found.outcome == expected, found.rule


@pytest.mark.parametrize("said, expected", [
    ("honestly I'm not the type for kicking up a fuss but the new boiler has been clanking every night", "pass"),
    ("not one for complaining really but the bins have been missed three weeks running", "pass"),
    ("I'm not one for making a fuss, but could you check when my parcel is due?", "fail"),
    ("she's not one for fussing, so the card arrived fine and we're all sorted thanks", "fail"),
])
def test_a_gerund_disclaimer_before_a_grievance_is_a_complaint(rules_only, said, expected):
    """"Not the type for V-ing a fuss, but …" says the grievance after the "but", as "not one to moan,
    but …" does; a question or a request after the "but" asks for help."""
    found = finding("en", [(AGENT, "Hello, you're through to customer services."), (CUSTOMER, said)], "complaint")
    assert found.outcome == expected, found.rule
