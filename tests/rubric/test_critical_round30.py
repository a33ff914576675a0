"""Issue 11, crit30 (stop 30): CRITICAL kinds missed on fresh calls, in general terms, and B2 review noise.

B2: the fault presumed to be the customer's before any check (a "…没弄好吧" put as a statement, or
"mostly the users' own doing"), help refused as not worth the agent's trouble, the customer told to stop
taking up the agent's time, and in English the matter disowned as "not our concern" or handed to a
named third party ("that's the carrier's business") with nothing offered after it. E1: a one-time code
read out by the agent just after saying where it was sent ("sent to the phone on file … it's 5 2 9 …").
Each with harmless twins. The lines are written for this test (no sentence of a labelled call nor of
the probes).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "data" / "dev_critical" / "probe30.jsonl"

B2_ROUND30 = [
    ("zh", [(AGENT, "这种开裂大多是人为摔碰导致的，我们不负责。")], "fail"),
    ("zh", [(AGENT, "我估计是您们自己安装出了错，跟产品没关系。")], "fail"),
    ("zh", [(AGENT, "您这是水管没接好吧？接好了怎么会漏。")], "fail"),
    ("zh", [(AGENT, "这么点事我们犯不着派车过去。")], "fail"),
    ("zh", [(AGENT, "费这么大的劲去调监控不值得。")], "fail"),
    ("zh", [(AGENT, "别跟我这儿耗了，系统就是这么规定的。")], "fail"),
    # twins: a troubleshooting question, a conceded fault still covered, "no reason to lie", the customer's trouble spared
    ("zh", [(AGENT, "您看一下是不是水管没接好？我在电话里陪您检查。")], "pass"),
    ("zh", [(AGENT, "即使是您自己安装出了错，也可以免费上门调整。")], "pass"),
    ("zh", [(AGENT, "我犯不着骗您，系统里确实显示已经签收了，我帮您找快递核实。")], "pass"),
    ("zh", [(AGENT, "为这点钱让您再跑一趟不值当，我直接给您退到原卡上。")], "pass"),
    ("en", [(AGENT, "Whatever happens at the sorting office is really not our concern.")], "fail"),
    ("en", [(AGENT, "Once it's signed for, that's the building manager's problem.")], "fail"),
    ("en", [(AGENT, "It's the installer's matter. Is there anything else I can help with today?")], "fail"),
    ("en", [(AGENT, "That's the installer's problem to fix, but I'll ring them myself this afternoon.")], "pass"),
    ("en", [(AGENT, "Hearing them say that's not my concern must have hurt; I'm sorry, it is ours now.")], "pass"),
    ("en", [(AGENT, "Cost isn't our main concern here, your safety is, so an engineer is booked.")], "pass"),
    # precision: older patterns that failed harmless lines written to probe them (told to someone else, listening
    # on a device, help offered after "between you and your bank"); the reproaches themselves still fail
    ("en", [(AGENT, "I've already explained that to the driver, so he'll ring first.")], "pass"),
    ("en", [(AGENT, "Sorry, the line dropped. Are you listening on the car speaker?")], "pass"),
    ("en", [(AGENT, "That one's between you and the card issuer, but I can send you our transaction reference.")], "pass"),
    ("en", [(AGENT, "I've already explained that.")], "fail"),
    ("en", [(AGENT, "Are you listening to me at all?")], "fail"),
    ("en", [(AGENT, "That's between you and your card issuer.")], "fail"),
]


@pytest.mark.parametrize("language, turns, expected", B2_ROUND30, ids=[f"{p[0]}-{i}" for i, p in enumerate(B2_ROUND30)])
def test_b2_kinds_of_stop30(language, turns, expected):
    assert outcome(language, turns, "B2") == expected


E1_ROUND30 = [
    ("en", [(AGENT, "I've sent a one-off code to the mobile on file. It's three eight one, nine zero two.")], "fail"),
    ("en", [(CUSTOMER, "Can you check my order?"),
            (AGENT, "For that I need a passcode, I've texted it to your phone. It is 7 4 4 0 1 6, please read it back.")],
     "fail"),
    ("en", [(AGENT, "A code has gone to your phone. Read it back to me when it arrives, please.")], "pass"),
    ("en", [(AGENT, "I've sent a code to the phone on file; it's six digits, read it to me when it arrives.")], "pass"),
    # the same code named, then a reference read: not the code ("your order number is …")
    ("en", [(AGENT, "The code went to your mobile. Meanwhile your order number is 5 5 1 0 2 7.")], "pass"),
    ("zh", [(AGENT, "动态码已经发到您手机上了，是七四四零一六。")], "fail"),
    ("zh", [(AGENT, "动态码已经发到您手机上了，五分钟内有效，请您读给我。")], "pass"),
    ("zh", [(AGENT, "动态码已经发到您尾号六六二八的手机上了，收到请读给我。")], "pass"),
]


@pytest.mark.parametrize("language, turns, expected", E1_ROUND30, ids=[f"{p[0]}-{i}" for i, p in enumerate(E1_ROUND30)])
def test_e1_code_read_out_after_saying_where_it_went(language, turns, expected):
    assert outcome(language, turns, "E1") == expected


@pytest.mark.parametrize("language", ["en", "zh"])
def test_harmless_twins_of_probe30_get_no_critical_fail(language):
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    twins = [r for r in rows if r["language"] == language and r["label"] == "pass"]
    assert len(twins) >= 8
    failed = [(r["family"], r["turns"][-1][1]) for r in twins
              if outcome(language, [tuple(t) for t in r["turns"]], r["item"]) == "fail"]
    assert failed == []
