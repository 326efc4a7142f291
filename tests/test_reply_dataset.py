"""The labelled reply set: reproducible from its sources, split once, held-out phrasings unseen."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from app.ai.intents import BUILTIN_INTENTS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "replies"
OPT_OUT_LANGUAGES = {"en", "es", "pt", "fr", "de", "hi", "id"}


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "reply_build", ROOT / "scripts" / "reply_dataset" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["reply_build"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def build():
    return _build_module()


def test_split_files_are_what_the_sources_build(build):
    """No hand edits: the committed split is exactly what the script makes from the sources."""
    files = build.build()
    for name, text in files.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, name


def test_size_labels_and_languages():
    train, held = _rows("train.jsonl"), _rows("heldout.jsonl")
    assert len(train) + len(held) >= 900
    for rows in (train, held):
        assert set(Counter(r["intent"] for r in rows)) == set(BUILTIN_INTENTS)
        assert {r["sentiment"] for r in rows} == {"positive", "neutral", "negative"}
        langs = {r["lang"] for r in rows if r["intent"] == "opt_out"}
        assert langs >= OPT_OUT_LANGUAGES


def test_held_out_phrasings_are_not_in_train(build):
    train, held = _rows("train.jsonl"), _rows("heldout.jsonl")
    train_keys = {build.norm_key(r["text"]) for r in train}
    assert not [r["text"] for r in held if build.norm_key(r["text"]) in train_keys]
    # a template family (one phrasing pattern) lives on one side only
    families = lambda rows: {r["source"] for r in rows if r["source"] != "hand"}  # noqa: E731
    assert not families(train) & families(held)


def test_same_text_never_has_two_labels(build):
    with pytest.raises(ValueError, match="vs"):
        build.dedupe(
            [
                build.Reply("ok", "other", "neutral", "en", "hand", "a"),
                build.Reply("OK!", "interested", "neutral", "en", "hand", "b"),
            ]
        )


# The held-out split as first measured (stop 6). It must never change: training-only data is
# added after the split, so editing tests/data/replies/extra/ cannot move a reply in or out.
HELDOUT_SHA256 = "f3ef2805e9da854d6745e3149eb9b1426156c75623234403de3bef2af095193f"


def test_held_out_split_is_fixed_whatever_training_data_is_added(build, monkeypatch):
    import hashlib

    assert hashlib.sha256((DATA / "heldout.jsonl").read_bytes()).hexdigest() == HELDOUT_SHA256
    with_extra = build.build()["heldout.jsonl"]
    monkeypatch.setattr(build, "read_extra", lambda *a, **k: [])
    assert build.build()["heldout.jsonl"] == with_extra


def test_training_only_rows_never_touch_held_out(build):
    R = build.Reply
    train = [R("how much is it", "pricing", "neutral", "en", "hand", "a")]
    held = [R("is it available in red", "question", "neutral", "en", "hand", "b")]
    extra = [
        R("Is it available in RED?", "question", "neutral", "en", "hand", "x1"),  # a held-out text
        R("how much is it!", "pricing", "neutral", "en", "hand", "x2"),  # already in train
        R("can you call me", "meeting_request", "neutral", "en", "hand", "x3"),
    ]
    new_train, dropped = build.add_training_only(list(train), held, extra)
    assert [r.text for r in new_train] == ["how much is it", "can you call me"]
    assert dropped == 1
    with pytest.raises(ValueError, match="vs"):
        build.add_training_only(
            list(train), held, [R("How much is it", "interested", "neutral", "en", "hand", "x")]
        )
