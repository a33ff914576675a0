"""Customer sentiment and complaint detection, Chinese and English, offline.

Sentiment is lexical: ``vaderSentiment`` for English, ``snownlp`` for Chinese, averaged
over the customer's turns into -1 (angry) … 1 (pleased). When a transformers sentiment
model directory is configured (``QA_SENTIMENT_MODEL``), it is used instead.

Complaint detection (:data:`COMPLAINT_PHRASES`) is a phrase lexicon of the ways customers
say they are dissatisfied or want to complain; the standard rubrics' ``complaint`` check
uses it through the ``complaint`` check type, and rubric authors can add phrases.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Optional

from qa_pipeline.language import has_chinese
from qa_pipeline.records import Call

log = logging.getLogger(__name__)

__all__ = ["customer_sentiment", "text_sentiment", "COMPLAINT_PHRASES"]

# Dissatisfaction or an explicit wish to complain, said by the customer. Generic phrasings,
# grouped by the way people say it; phrases are matched after normalisation (see
# qa_pipeline.rubric.text), so 你/您 and Chinese/Arabic numerals need not be spelled twice.
COMPLAINT_PHRASES: dict[str, tuple[str, ...]] = {
    "zh": (
        # wants to complain / escalate
        "投诉", "我要告", "要举报", "12315", "消协", "曝光", "找您们领导", "叫您们领导", "找您们经理",
        "要个说法", "给个说法", "给我个说法", "讨个说法", "要求赔偿", "赔偿我", "退钱",
        # dissatisfied
        "不满意", "很不满", "非常不满", "太不满", "失望", "太差", "差劲", "很差", "真差", "什么破",
        "破服务", "垃圾", "太烂", "怎么搞的", "搞什么", "搞什么鬼", "不像话", "太过分", "过分了", "离谱",
        "乱扣", "乱收费", "坑人", "坑钱", "骗人", "骗子", "欺骗", "忽悠", "效率太低", "效率也太低", "也太慢",
        "慢死了", "受够了", "气死", "很生气", "太生气", "有没有搞错", "什么态度", "态度恶劣",
        "态度太差", "态度很差", "忍无可忍", "无语", "太坑", "凭什么", "没人管", "推来推去", "踢皮球",
        "耽误我", "一点通知都没有", "说话不算数", "不负责任", "您们怎么回事", "什么玩意", "岂有此理",
        "re:(?:等|催|打)了(?:好|很|这么)?(?:几|多|久|\\d+)(?:次|天|个?星期|个?礼拜|个月).{0,6}(?:还|都|也)(?:没|不)",
        "re:(?:都|已经)(?:\\d+|好几|几)个?(?:天|周|星期|礼拜|月)了?(?:还|都|也)(?:没|不)", "一直没人", "没人回",
        "没有人联系", "没人联系", "也没人管", "烦死了", "气人", "太气人", "窝火", "恶心", "黑心", "坑爹",
    ),
    "en": (
        # the word itself, but not where it is denied: "this is not a complaint", "I'm not calling to
        # complain", "no be complain" (West African English), "never complain"
        "re:(?<!\\bnot )(?<!\\bnot a )(?<!\\bno )(?<!\\bno be )(?<!\\bnot really a )(?<!\\bnever )"
        "(?<!\\bnot to )(?<!\\bnot here to )(?<!\\bnot calling to )(?<!\\bnot ringing to )(?<!\\bnot trying to )"
        "\\bcomplain(?:t)?\\b",
        "file a complaint", "make a complaint", "speak to a manager",
        "speak to your supervisor", "talk to a manager", "unacceptable", "not acceptable", "not okay",
        "not ok", "this is ridiculous", "ridiculous", "terrible", "awful", "horrible", "worst",
        "disgusting", "disgraceful", "pathetic", "useless", "rip off", "ripoff", "scam", "bullshit",
        "this is a joke", "fed up", "sick of", "sick and tired", "had enough", "i am upset",
        "really upset", "so upset", "very upset", "i am unhappy", "really unhappy", "very unhappy",
        "not happy", "i am disappointed", "really disappointed", "very disappointed", "so disappointed",
        "i am frustrated", "really frustrated", "so frustrated", "very frustrated", "i am angry",
        "really angry", "furious", "livid", "annoyed", "poor service", "bad service", "lousy service",
        "terrible service", "how is this acceptable", "how is this possible", "this cannot be right",
        "i cannot believe this", "cannot believe you", "nobody told me", "no one told me", "second time this",
        "third time this",
        "every time i call", "still have not", "still has not", "still not fixed", "overcharged",
        "charged twice", "want my money back", "want a refund", "demand a refund", "not good enough",
        "disgrace", "shocking", "appalling", "outrageous", "unbelievable", "waste of time",
        "been waiting for weeks", "been waiting for ages", "been waiting forever",
        "re:been waiting (?:for )?(?:over |more than |almost |nearly )?\\d+ (?:days|weeks|months)",
        "nobody has called", "no one has called", "nobody called me back", "never called me back",
        "never got back to me", "nobody got back to me", "keep getting passed around", "not satisfied",
        "dissatisfied", "very poor", "really poor", "so frustrating", "really frustrating", "very frustrating",
        "frustrated", "this is a nightmare", "totally unacceptable", "absolutely unacceptable",
    ),
}


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _transformer_pipeline():
    path = os.environ.get("QA_SENTIMENT_MODEL")
    if not path:
        return None
    try:
        from transformers import pipeline

        return pipeline("sentiment-analysis", model=path, tokenizer=path)
    except Exception as exc:  # a model that does not load must not stop scoring
        log.warning("sentiment model %s not usable (%s); using the lexical sentiment", path, exc)
        return None


def text_sentiment(text: str) -> Optional[float]:
    """Sentiment of one utterance, -1 … 1, or None for empty text."""
    text = text.strip()
    if not text:
        return None
    model = _transformer_pipeline()
    if model is not None:
        out = model(text[:512])[0]
        sign = -1.0 if str(out["label"]).lower().startswith(("neg", "label_0", "1 star", "2 star")) else 1.0
        return round(sign * float(out["score"]), 3)
    if has_chinese(text):
        from snownlp import SnowNLP

        return round(2.0 * SnowNLP(text).sentiments - 1.0, 3)
    return round(_vader().polarity_scores(text)["compound"], 3)


def customer_sentiment(call: Call) -> Optional[float]:
    """The customer's sentiment over the call, -1 … 1; None when the customer never speaks.

    Chinese text is scored in one piece (snownlp is slow per call, not per character);
    English per turn, averaged."""
    texts = [t.text for t in call.turns if t.speaker == "customer" and t.text.strip()]
    if not texts:
        return None
    joined = "。".join(texts)
    if has_chinese(joined) or _transformer_pipeline() is not None:
        return text_sentiment(joined[:2000])
    scores = [s for s in (text_sentiment(t) for t in texts) if s is not None]
    return round(sum(scores) / len(scores), 3) if scores else None
