"""classify_local: the offline reply classifier (contract in AI_CONTRACT.md)."""

from __future__ import annotations

import pytest

from app.ai.classifier.language import detect_language
from app.ai.classifier.local import classify_local
from app.ai.classifier.schemas import Classification
from app.ai.classifier.sentiment import classify_sentiment
from app.ai.intents import BUILTIN_INTENTS, IntentModel

SENTIMENTS = {"positive", "neutral", "negative"}


def _valid(c: Classification) -> None:
    assert c.intent in BUILTIN_INTENTS or c.intent
    assert c.sentiment in SENTIMENTS and c.urgency in {"low", "medium", "high"}
    assert 0 <= c.confidence <= 100 and c.provider == "local" and c.fallback_reason is None
    assert isinstance(c.key_phrases, list) and c.suggested_action


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("How much is the 6 month plan?", "pricing"),
        ("Can you call me tomorrow at 10?", "meeting_request"),
        ("My order still hasn't arrived, it's been 2 weeks", "complaint"),
        ("Wrong number, I'm not Maria", "wrong_number"),
        ("Thank you for your message. I am out of the office until Monday.", "auto_reply"),
        ("I already bought it last month", "already_customer"),
    ],
)
def test_clear_replies(text, intent):
    c = classify_local(text)
    _valid(c)
    assert c.intent == intent and not c.opt_out


def test_opt_out_is_decided_by_the_rules():
    c = classify_local("please remove me from your list", "Our summer sale starts today!")
    _valid(c)
    assert (c.intent, c.opt_out, c.confidence) == ("opt_out", True, 100)
    assert c.auto_response.requires_human_review is False
    assert c.auto_response.should_respond is True  # the confirmation
    assert "opted out" in c.suggested_action


@pytest.mark.parametrize(
    "text", ["pare de me mandar mensagem", "bitte keine nachrichten mehr", "mujhe message mat karo"]
)
def test_opt_outs_in_other_languages(text):
    c = classify_local(text)
    assert c.opt_out and c.intent == "opt_out"
    assert c.auto_response.should_respond is False  # no English confirmation to a non-English reply


def test_stop_by_is_not_an_opt_out():
    c = classify_local("I'll stop by tomorrow")
    assert not c.opt_out and c.intent != "opt_out"


def test_the_model_alone_never_opts_out():
    """A (custom) model that says "opt_out" with no explicit rule behind it: not an opt-out, a
    person reviews."""
    texts = ["banana", "bananas please", "more banana", "ripe banana", "apple", "apples please",
             "green apple", "apple pie"]  # fmt: skip
    labels = ["opt_out"] * 4 + ["fruit"] * 4
    model = IntentModel.train(texts, labels)
    c = classify_local("banana banana", custom_model=model)
    assert c.intent == "opt_out" and c.opt_out is False
    assert c.auto_response.requires_human_review and not c.auto_response.should_respond


def test_negative_sentiment_alone_is_not_an_opt_out():
    c = classify_local("This is the worst service ever, I hate it!!!")
    assert c.sentiment == "negative" and not c.opt_out


def test_custom_model_is_used_when_confident():
    texts = [f"where is my refund {i}" for i in range(5)] + [
        f"gift wrap order {i}" for i in range(5)
    ]
    model = IntentModel.train(texts, ["refund"] * 5 + ["gift_wrap"] * 5)
    c = classify_local("where is my refund??", custom_model=model)
    assert c.intent == "refund" and c.key_phrases
    assert c.suggested_action == "Handle as refund"


def test_uncertain_custom_model_falls_back_to_builtin():
    """A custom model that cannot tell (ambiguous) yields to a confident built-in model."""
    model = IntentModel.train(["qqq 1", "qqq 2"], ["x", "y"])  # the same text once normalised
    assert abs(model.proba_one("How much is the 6 month plan?")[0] - 0.5) < 0.01
    c = classify_local("How much is the 6 month plan?", custom_model=model)
    assert c.intent == "pricing"


def test_confidence_gate_sends_uncertain_replies_to_review():
    """Nonsense: no intent is likely enough, so a person looks at it."""
    c = classify_local("qzx vbn klm")
    assert c.confidence < 100
    if c.confidence < 50:
        assert c.auto_response.requires_human_review


def test_complaints_always_go_to_review_and_are_urgent():
    c = classify_local("I was charged twice and nobody answers, this is unacceptable")
    assert c.intent == "complaint" and c.urgency == "high"
    assert c.auto_response.requires_human_review and not c.auto_response.should_respond


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_reply(text):
    c = classify_local(text)
    assert (c.intent, c.confidence, c.language, c.opt_out) == ("other", 0, "und", False)


def test_huge_and_odd_input():
    for text in ["x" * 100_000, "🙂" * 5000, "\u0000\u0001 ok", "١٢٣", "<script>alert(1)</script>"]:
        _valid(classify_local(text))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Can you send me the price list please?", "en"),
        ("¿Cuánto cuesta el envío a Madrid?", "es"),
        ("Quero saber o preço do plano anual", "pt"),
        ("Je voudrais prendre rendez-vous demain", "fr"),
        ("Ich möchte gerne einen Termin vereinbaren", "de"),
        ("bhai ye kitne ka hai, mujhe chahiye", "hi"),
        ("kak harganya berapa ya, saya mau pesan", "id"),
        ("👍👍", "und"),
        ("12345", "und"),
    ],
)
def test_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Love it, thank you so much! 😍", "positive"),
        ("Terrible service, my package is broken 😡", "negative"),
        ("What time do you open on Saturday?", "neutral"),
    ],
)
def test_sentiment(text, sentiment):
    assert classify_sentiment(text) == sentiment


def test_vader_shortcut_changes_nothing():
    """Skipping VADER for ASCII text without a lexicon word gives what VADER itself gives."""
    from app.ai.classifier import sentiment
    from app.ai.classifier.model import load_replies

    texts = [r["text"] for r in load_replies("train")] + [":)", ":-(", "no!!!", "kind of ok", "ha"]
    sentiment.vader_proba("warm up")
    vader = sentiment._vader
    for text in texts:
        compound = vader.polarity_scores(text)["compound"]
        fast = sentiment.vader_proba(text)
        assert (fast is None) == (compound == 0.0), text
