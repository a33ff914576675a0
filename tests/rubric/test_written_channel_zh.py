"""standard-zh on a written helpdesk channel (a public post to a company's account and its replies).

The real Weibo threads of tests/data/dev_real/zh showed kinds of miss a phone-call rubric makes on
written text: a calm public fault report not taken as a complaint, written grievances (abuse, a
warning to others, a verdict), the written helpdesk's apology (给您的使用带来不便，还请见谅), its
ownership (转交专人核查, 一有结果就联系您) and its say-back (关于您反映的…问题). Every text here was
written for these tests, across industries; none is a sentence of a thread.
"""
from __future__ import annotations

import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric

AGENT, CUSTOMER = "agent", "customer"


def finding(turns, check):
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("written-probe"), "zh", tuple(made))
    return next(f for f in score_call(call, standard_rubric("zh"), sentiment=0.0).findings if f.check_id == check)


# A post that tags the company (@…) and reports a fault is a complaint, however calm; the rules
# decide it (not the classifier).
PUBLIC_FAULT_REPORTS = [
    "@某某银行客服 手机银行今天一直登录不上，点进去就闪退",
    "昨晚买的电影票付款成功了却没出票，什么情况 @某某票务",
    "@某某视频 会员莫名其妙被扣了两次费",
    "@某某快递 查件页面显示已签收，我根本没收到",
    "热水器用了三个月显示屏就坏了 @某某电器售后",
    "@某某航空 值机系统一直报错，试了几次都不行",
]


@pytest.mark.parametrize("text", PUBLIC_FAULT_REPORTS)
def test_a_public_post_reporting_a_fault_is_a_complaint(text):
    f = finding([(CUSTOMER, text), (AGENT, "您好，请私信您的订单号")], "complaint")
    assert f.outcome == "pass" and "learned" not in f.rule, f.rule


# The replies under a public post are public too: the fault may be reported in a later post.
def test_a_fault_in_a_later_reply_to_a_public_post_is_a_complaint():
    f = finding([(CUSTOMER, "@某某健身 请问周末团课几点开始"), (AGENT, "您好，周六上午九点，可拨打门店电话预约"),
                 (CUSTOMER, "门店电话打了一上午都打不通")], "complaint")
    assert f.outcome == "pass" and "public post" in f.rule, f.rule


# The same words on the phone (no @) ask for help: the public-post phrases do not count there,
# nor does an e-mail address make a turn a public post.
@pytest.mark.parametrize("text", [
    "手机银行今天一直登录不上，麻烦帮我看看",
    "我发到 zhang.wei@example.com 的回执一直收不到，能再发一次吗",
])
def test_fault_words_off_a_public_post_are_not_the_public_rule(text):
    f = finding([(CUSTOMER, text), (AGENT, "好的，请问您的账号是多少")], "complaint")
    assert "public post" not in (f.rule or ""), f.rule


# A public post that reports nothing wrong (a wish, praise) is no complaint by the rules.
@pytest.mark.parametrize("text", [
    "@某某输入法 希望早点出一个手写输入的皮肤",
    "@某某银行客服 今天柜台的小姐姐特别耐心，点个赞",
])
def test_a_public_post_with_nothing_wrong_is_not_found_by_the_rules(text):
    f = finding([(CUSTOMER, text), (AGENT, "您好，感谢您的支持")], "complaint")
    assert not f.rule.startswith("complaint: found"), f.rule


# Written grievances, on any channel.
WRITTEN_GRIEVANCES = [
    "这家健身房的私教课大家千万别买，钱交了就找不到人",
    "这家驾校的教练态度差，练车全靠自己琢磨",
    "打印机又出新问题了，上周刚修好",
    "小区宽带三天两头断网",
    "我的退款到底什么时候才能到账",
    "门店就开在城东，让我们住城西的怎么办",
    "物业费一年涨两回，是不是也太频繁了",
    "这帮王八蛋收了钱就不管了",
]


@pytest.mark.parametrize("text", WRITTEN_GRIEVANCES)
def test_written_grievances_are_complaints_by_the_rules(text):
    f = finding([(CUSTOMER, text), (AGENT, "您好，请问您的会员号是多少")], "complaint")
    assert f.outcome == "pass" and "learned" not in f.rule, f.rule


COMPLAINT = (CUSTOMER, "你们物业的办事能力真差，电梯停了两天没人修")


@pytest.mark.parametrize("said, expected", [
    ("您好，给您的日常出行带来不便，还请见谅", "pass"),
    ("您好，给您带来的困扰我们深表遗憾", "pass"),
    ("您好，电梯维修需要时间", "fail"),
])
def test_written_apology(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D1").outcome == expected


@pytest.mark.parametrize("said, expected", [
    ("您好，您反映的情况已转交专人核查，请留意回复", "pass"),
    ("您好，维修人员正在处理中，一有结果就会与您联系", "pass"),
    ("您好，我们会为您核实后尽快回复", "pass"),
    ("您好，电梯的事您可以直接打物业公司的电话问问", "fail"),
])
def test_written_ownership(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D5").outcome == expected


@pytest.mark.parametrize("said, expected", [
    ("您好，关于您反映的电梯停运的问题，我们已通知维修", "pass"),
    ("您好，您指的是三号楼那部电梯吗", "pass"),
    ("您好，关于您反映的问题，我们已通知维修", "fail"),
])
def test_written_say_back_of_the_need(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "C2").outcome == expected


# Batch 2 of dev_real/zh's complaint-trigger rules (ignored in public, unwanted automatic behaviour,
# a signal the device no longer gives, the customer treated as a fool, words that do nothing, a
# suggestion that denies being a complaint) were taken out again at merge: with them the never-tuned
# real set lost two Mandarin complaint calls (docs/rubrics.md). Its D5 ownership rules stay:


@pytest.mark.parametrize("said, expected", [
    ("您好，情况已登记，交由我司工作人员上门查看", "pass"),
    ("您好，工作人员正加紧核实中，请耐心等待", "pass"),
    ("您好，我们将督促相关部门抓紧安排", "pass"),
    ("您好，我这边为您查查维修进度", "pass"),
    ("您好，楼栋管家已回访您，说明了维修安排", "pass"),
    ("您好，我们本地试过了，三号梯运行正常", "pass"),
])
def test_more_written_ownership(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D5").outcome == expected


# Batch 3 of dev_real/zh (helper realzh3). A public thread is one grievance: the agent's replies
# count for the D items from the customer's opening post, even when the words the trigger knows
# come only in a later post. On a call (no @) standard-zh counts them from the caller's first turn too (stop 32,
# zhgen32: `call: from_first_turn`, the trigger's words often come only once the caller is pressed); a rubric
# without it counts them from the complaint itself.
def _late_grievance(tag):
    return [(CUSTOMER, f"{tag}健身房的淋浴间这周只有冷水"),
            (AGENT, "您好，给您带来不便非常抱歉，已转交相关部门核查"),
            (CUSTOMER, "都一个礼拜了还没修好，一直没人管")]


def test_in_a_public_thread_the_d_items_count_from_the_opening_post():
    public = _late_grievance("@某某健身 ")
    assert finding(public, "complaint").outcome == "pass"
    assert finding(public, "D1").outcome == "pass"
    assert finding(public, "D5").outcome == "pass"


def test_on_a_call_the_d_items_count_from_the_callers_first_turn():
    call = _late_grievance("")
    assert finding(call, "complaint").outcome == "pass"
    assert finding(call, "D1").outcome == "pass"
    assert finding(call, "D5").outcome == "pass"


# "Watch for our call" (请留意电话回访) neither asks for nor confirms a number (D3); "leave a
# number" in its forms does.
@pytest.mark.parametrize("said, expected", [
    ("您好，已经安排师傅上门，请您留意电话", "fail"),
    ("您好，请留心来电，师傅会和您约时间", "fail"),
    ("您好，麻烦私信留个电话，我们安排师傅联系您", "pass"),
    ("您好，请留下您的手机号，方便工程部回访", "pass"),
])
def test_watching_for_a_call_is_not_asking_for_a_number(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D3").outcome == expected


# C2: a yes/no question that says the trouble back ("still cannot …?", "did they not … for you?")
# confirms the need; a question about something else, or a plain diagnostic, does not.
@pytest.mark.parametrize("said, expected", [
    ("您好，请问换了插座以后还是无法充电吗", "pass"),
    ("您好，重启路由器之后仍然连不上吗", "pass"),
    ("您好，请问是快递员没有给您送上楼吗", "pass"),
    ("您好，请问您用的是哪个型号的充电器", "fail"),
    ("您好，请问还有其他需要帮忙的吗", "fail"),
])
def test_a_question_that_says_the_trouble_back_confirms_the_need(said, expected):
    complaint = (CUSTOMER, "@某某电器 新买的扫地机充不进电，太失望了")
    assert finding([complaint, (AGENT, said)], "C2").outcome == expected


# C1 applies when the agent looks up the customer's record, not when it looks up where the
# company's outlets are, nor on a near-miss of a record phrase (您再预约, "book it again yourself");
# the identifier the customer gave, named back as what the record was looked up by, passes C1.
@pytest.mark.parametrize("said, expected", [
    ("您好，请问您在哪个城市，我帮您查一下附近的售后网点", "na"),
    ("您好，您再预约一下上门时间就可以了", "na"),
    ("您好，用您给的订单号查了一下，包裹正在派送", "pass"),
    ("您好，查询到您的订单已经发货", "fail"),
])
def test_c1_applies_to_the_customers_record_not_to_outlets(said, expected):
    question = (CUSTOMER, "@某某电器 我的扫地机怎么修，会员编号是8812")
    assert finding([question, (AGENT, said)], "C1").outcome == expected


# D5: a check the agent reports having made, its finding following, is the agent looking into it
# itself; a plan made faster (加急网络建设) is no rush on this case, and a test that found nothing
# wrong, then only an apology, is no ownership.
@pytest.mark.parametrize("said, expected", [
    ("您好，经核实，三号梯的控制板已于昨日更换", "pass"),
    ("您好，通过您私信的房号查询，报修单已经派出", "pass"),
    ("您好，我们会加急推进小区设施改造，感谢理解", "fail"),
    ("您好，我们本地测试并没有出现这个情况，给您带来不便还请谅解", "fail"),
])
def test_a_check_the_agent_reports_is_ownership(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D5").outcome == expected


# Complaint: exasperation said as an idiom (真是醉了), on any channel, and in a public post the same
# trouble counted (第三次了). Someone drunk, a repeat purchase, or the count said on a call, is not
# found by these rules.
@pytest.mark.parametrize("turns, found", [
    ([(CUSTOMER, "新买的台灯开关是松的，我也是醉了")], True),
    ([(CUSTOMER, "@某某地图 导航又把我带进死胡同，第三次了")], True),
    ([(CUSTOMER, "昨晚聚餐喝醉了，手机落在了店里，请问能帮忙找找吗")], False),
    ([(CUSTOMER, "@某某家电 这是我第二次买你们家的扫地机了，想问下配件哪里买")], False),
    ([(CUSTOMER, "导航又把我带进死胡同，第三次了，怎么设置避开小路")], False),
])
def test_exasperation_and_a_counted_repeat_are_complaints(turns, found):
    f = finding(turns + [(AGENT, "您好，请问是哪个型号")], "complaint")
    assert f.rule.startswith("complaint: found") is found, f.rule


# Batch 3, all 30 threads: more written ownership, the phone number asked by private message (D3;
# on a call a number asked to find the account is C1's, not D3), the trouble said back after 就是,
# and more written grievances (accused of taking money, a rip-off, unfriendly, even the simplest use
# failing).
@pytest.mark.parametrize("said, expected", [
    ("您好，情况已记录并将及时反馈处理", "pass"),
    ("您好，我们会尽快处理并及时回复您", "pass"),
    ("您好，请私信房号，以便这边核实", "pass"),
    ("您好，我处帮您做进一步的核查", "pass"),
    ("您好，我们会尽量为您催促维修师傅", "pass"),
    ("您好，电梯的问题我们知道了", "fail"),
])
def test_written_ownership_from_batch3(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D5").outcome == expected


@pytest.mark.parametrize("said, expected", [
    ("您好，麻烦您私信手机号码给我们，工程部会回访", "pass"),
    ("您好，请您提供一下登记业主的手机号", "fail"),
])
def test_a_phone_number_asked_by_private_message_is_d3(said, expected):
    assert finding([COMPLAINT, (AGENT, said)], "D3").outcome == expected


def test_the_trouble_said_back_after_jiushi_confirms_the_need():
    said = "您好，就是电梯按了楼层没有反应是吗"
    assert finding([COMPLAINT, (AGENT, said)], "C2").outcome == "pass"


@pytest.mark.parametrize("text", [
    "@某某宽带 天天不在家还偷扣我话费",
    "这个会员续费真坑，退都退不了",
    "你们对老会员最不友好了",
    "@某某宽带 晚上看个直播都卡",
])
def test_more_written_grievances_are_complaints(text):
    f = finding([(CUSTOMER, text), (AGENT, "您好，请问您的会员号是多少")], "complaint")
    assert f.outcome == "pass" and f.rule.startswith("complaint: found"), f.rule
