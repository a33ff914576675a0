"""Varied call-centre text for the dashboard bench's turns, generated (not copied from any
labelled call): a few hundred sentence templates per language and speaker, made by combining
leads, bodies and tails written for this bench across many industries (orders, banking,
telecom, travel, insurance, utilities), with fillers (names, order numbers, amounts, dates)
drawn per call and turn in SQL.

:func:`load` writes the templates into a temporary table; :func:`turn_text_sql` is the SQL
expression of one turn's text, 1 to 6 sentences of the call's language (Mandarin or English),
so the words search reads text of realistic variety and length instead of two repeated
strings. About one call in ten is a complaint call: its customer turns say so (投诉 /
complaint), as the bench's earlier fixed texts did.
"""
from __future__ import annotations

import random

__all__ = ["TEMPLATES_PER_SET", "load", "turn_text_sql"]

TEMPLATES_PER_SET = 320
"""Distinct templates per language and speaker (and for the complaint customers' lines)."""

_ZH = {
    "agent_lead": ["您好，", "好的，", "明白了，", "请稍等，", "不好意思，", "感谢您的耐心，", "嗯，",
                   "这边帮您看一下，", "{name}先生，", "{name}女士，", "没问题，", "我理解您的心情，",
                   "稍等一下，", "了解，"],
    "agent_body": ["您的订单{num}已经在配送中了", "这笔{amt}元的扣款是上个月的月租", "您的套餐{date}会自动续费",
                   "我这边查到您的账户余额是{amt}元", "退款会在三到五个工作日内原路退回", "您的航班改签手续已经办好了",
                   "保单{num}的理赔材料我们已经收到", "维修师傅会在{date}上门", "您的快递现在在转运中心",
                   "这个优惠活动截止到{date}", "我帮您把地址改成新的", "信用卡的临时额度已经调整好了",
                   "您的宽带故障单号是{num}", "电费账单里包含了上个月的滞纳金", "我已经帮您登记了这个问题",
                   "您的积分可以兑换{amt}元的代金券", "会员到期时间是{date}", "这个型号目前暂时缺货",
                   "您预约的时间是{date}下午", "贷款的还款日是每月{day}号", "我们会在二十四小时内回电",
                   "您的密码已经重置，请查看短信", "这张卡已经帮您挂失了", "您可以在应用里查看进度"],
    "agent_tail": ["。", "，请问还有其他可以帮您的吗？", "，您看可以吗？", "，您这边清楚吗？", "。",
                   "，给您带来不便非常抱歉。", "，稍后会有短信通知您。", "，请问您贵姓？"],
    "customer_lead": ["喂，", "你好，", "那个，", "嗯，", "我想问一下，", "是这样的，", "麻烦你，",
                      "请问，", "对，", "哦，", "可是，", "我昨天打过电话，"],
    "customer_body": ["我的订单{num}怎么还没到", "这个月怎么多扣了{amt}元", "我想改一下收货地址",
                      "我的宽带从{date}开始就断了", "我想办理退款", "信用卡被冻结了是怎么回事",
                      "航班能不能改到{date}", "我的快递显示签收了但是我没收到", "账单上的费用看不懂",
                      "我想取消自动续费", "保险理赔要多久", "师傅说好{date}来却没来", "积分怎么用",
                      "手机号{num}是我的", "我想升级套餐", "能不能分期付款", "我的密码忘了",
                      "你们的应用一直登录不上", "押金什么时候退", "我要查一下{amt}元的那笔交易"],
    "customer_tail": ["。", "？", "，谢谢。", "，麻烦快一点。", "，好吧。", "。", "，我等着呢。"],
    "complaint_body": ["我要投诉，这已经是第三次了", "我要投诉你们的服务态度", "再不解决我就去投诉",
                       "我对这个处理结果很不满意，我要投诉", "这个问题拖了{amt}天了，我要投诉",
                       "你们给我一个投诉的渠道"],
}

_EN = {
    "agent_lead": ["Thank you for calling, ", "Sure, ", "I understand, ", "One moment please, ", "I'm sorry, ",
                   "Thanks for your patience, ", "Okay, ", "Let me check that for you, ", "Mr. {name}, ",
                   "Ms. {name}, ", "No problem, ", "I can see why that's frustrating, ", "Right, ",
                   "Just to confirm, "],
    "agent_body": ["your order {num} is out for delivery", "the {amt} dollar charge is last month's plan fee",
                   "your plan renews automatically on {date}", "your account balance shows {amt} dollars",
                   "the refund goes back to your card in three to five business days",
                   "I've rebooked your flight for {date}", "we received the claim documents for policy {num}",
                   "a technician will come by on {date}", "your parcel is at the sorting centre",
                   "that promotion runs until {date}", "I've updated your delivery address",
                   "your temporary credit limit has been raised", "your fault ticket number is {num}",
                   "the bill includes a late fee from last month", "I've logged the issue on your account",
                   "your points are worth a {amt} dollar voucher", "your membership ends on {date}",
                   "that model is out of stock right now", "your appointment is on {date} in the afternoon",
                   "your loan payment is due on the {day}th", "someone will call you back within a day",
                   "your password has been reset, please check your texts", "I've blocked the card for you",
                   "you can follow the progress in the app"],
    "agent_tail": [".", ". Is there anything else I can help you with?", ", does that work for you?",
                   ", is that clear?", ".", ". I'm sorry for the trouble.", ", you'll get a text shortly.",
                   ". May I have your name please?"],
    "customer_lead": ["Hi, ", "Hello, ", "Um, ", "Yeah, ", "I wanted to ask, ", "So basically, ", "Sorry, ",
                      "Could you tell me, ", "Right, ", "Oh, ", "But ", "I called yesterday and "],
    "customer_body": ["my order {num} still hasn't arrived", "why was I charged {amt} dollars extra this month",
                      "I'd like to change my delivery address", "my internet has been down since {date}",
                      "I want a refund", "why is my credit card frozen", "can I move my flight to {date}",
                      "it says delivered but I never got the parcel", "I don't understand this bill",
                      "I want to cancel the auto renewal", "how long does an insurance claim take",
                      "the technician was supposed to come on {date} and never showed up",
                      "how do I use my points", "my number is {num}", "I'd like to upgrade my plan",
                      "can I pay in instalments", "I forgot my password", "the app won't let me log in",
                      "when do I get my deposit back", "I need to check the {amt} dollar transaction"],
    "customer_tail": [".", "?", ", thanks.", ", please hurry.", ", fine.", ".", ", I'm waiting."],
    "complaint_body": ["I want to make a complaint, this is the third time",
                       "I'd like to file a complaint about your staff",
                       "if this isn't fixed I'm making a complaint", "I'm not happy with this and I want to complain",
                       "this has dragged on for {amt} days, I want to make a complaint",
                       "give me the complaint line please"],
}

NAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "Smith", "Jones", "Brown", "Taylor",
         "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Chen", "Wong", "Patel", "Khan"]


def _templates(parts: dict[str, list[str]], speaker: str, body: str, seed: int) -> list[str]:
    """:data:`TEMPLATES_PER_SET` distinct lead + body + tail combinations, picked by ``seed``."""
    leads, bodies, tails = parts[f"{speaker}_lead"], parts[body], parts[f"{speaker}_tail"]
    combos = [lead + b + tail for lead in leads for b in bodies for tail in tails]
    combos = list(dict.fromkeys(combos))
    random.Random(seed).shuffle(combos)
    return combos[:TEMPLATES_PER_SET]


def rows() -> list[tuple[str, str, int, str]]:
    """(language, set, k, template): sets ``agent``, ``customer`` and ``complaint``."""
    out = []
    for seed, (language, parts) in enumerate((("zh", _ZH), ("en", _EN))):
        for kind, speaker, body in (("agent", "agent", "agent_body"), ("customer", "customer", "customer_body"),
                                    ("complaint", "customer", "complaint_body")):
            out += [(language, kind, k, text)
                    for k, text in enumerate(_templates(parts, speaker, body, seed * 10 + len(out)))]
    return out


def load(con) -> None:
    """The templates into ``temp._bench_phrases`` (language, kind, k, text)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _bench_phrases (language VARCHAR, kind VARCHAR, k INTEGER, "
                "text VARCHAR)")
    con.executemany("INSERT INTO temp._bench_phrases VALUES (?, ?, ?, ?)", rows())
    sizes = con.execute("SELECT DISTINCT count(*) FROM temp._bench_phrases GROUP BY language, kind").fetchall()
    assert sizes == [(TEMPLATES_PER_SET,)], sizes  # each set full: a turn's template is hash % its size


def turn_text_sql(turns: str) -> str:
    """SQL of ``call_id, turn, speaker, text`` for the rows of ``turns`` (a relation with
    ``call_id, t, language, processed_at``): 1 to 6 sentences an agent's turn, 1 to 4 a
    customer's (about 1,000 characters a call in all: a few minutes' talk), templates picked
    per call, turn and sentence, fillers per call and turn; a complaint call's (one in ten)
    customer turns hold one complaint sentence among theirs."""
    names = "[" + ", ".join(f"'{n}'" for n in NAMES) + "]"
    return f"""
    WITH s AS (
        SELECT u.call_id, u.t, u.language, u.processed_at, j,
               CASE WHEN u.t % 2 = 0 THEN 'agent'
                    WHEN j = 0 AND hash(u.call_id) % 10 = 0 THEN 'complaint' ELSE 'customer' END AS kind,
               hash(u.call_id || '/' || u.t || '/' || j) AS h
        FROM {turns} u, range(6) r(j)
        WHERE j < 1 + hash(u.call_id || '#' || u.t) % (CASE WHEN u.t % 2 = 0 THEN 6 ELSE 4 END)),
    filled AS (
        SELECT s.call_id, s.t, s.j, s.processed_at,
               replace(replace(replace(replace(replace(p.text,
                   '{{num}}', (1000000000 + s.h % 8999999999)::VARCHAR),
                   '{{amt}}', (5 + s.h % 2995)::VARCHAR),
                   '{{date}}', CASE s.language
                       WHEN 'en' THEN strftime(DATE '2026-01-01' + (s.h % 330)::INTEGER, '%B %d')
                       ELSE strftime(DATE '2026-01-01' + (s.h % 330)::INTEGER, '%m月%d日') END),
                   '{{day}}', (1 + s.h % 28)::VARCHAR),
                   '{{name}}', {names}[(1 + (s.h // 7) % {len(NAMES)})::BIGINT])
                   || CASE s.language WHEN 'en' THEN ' ' ELSE '' END AS sentence
        FROM s JOIN temp._bench_phrases p
          ON p.language = s.language AND p.kind = s.kind AND p.k = s.h % {TEMPLATES_PER_SET})
    SELECT call_id, t AS turn, CASE WHEN t % 2 = 0 THEN 'agent' ELSE 'customer' END AS speaker,
           rtrim(string_agg(sentence, '' ORDER BY j)) AS text, any_value(processed_at) AS stored_at
    FROM filled GROUP BY call_id, t"""
