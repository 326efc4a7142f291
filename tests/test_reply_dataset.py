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
