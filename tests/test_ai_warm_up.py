"""The offline reply models are built when a process starts (app.ai.classifier.warm)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.ai import intents
from app.ai.classifier import optout_model, sentiment, warm
from app.core.config import settings


def test_the_warm_up_thread_builds_every_reply_model(monkeypatch):
    monkeypatch.setattr(settings, "AI_WARM_UP", True)
    for module, name in ((intents, "_builtin"), (sentiment, "_model"), (optout_model, "_model")):
        monkeypatch.setattr(module, name, None)
    thread = warm.start_warm_up()
    assert thread is not None and thread.daemon
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert intents._builtin is not None
    assert sentiment._model is not None
    assert optout_model._model is not None


def test_no_warm_up_when_it_or_reply_classification_is_off(monkeypatch):
    monkeypatch.setattr(settings, "AI_WARM_UP", False)
    assert warm.start_warm_up() is None
    monkeypatch.setattr(settings, "AI_WARM_UP", True)
    monkeypatch.setattr(settings, "AI_REPLY_CLASSIFICATION_ENABLED", False)
    assert warm.start_warm_up() is None


def test_a_failed_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken() -> None:
        raise FileNotFoundError("labelled replies not found")

    monkeypatch.setattr(warm, "warm_up", broken)
    warm._run()
    assert "AI warm-up failed" in caplog.text


def test_the_api_starts_the_warm_up(monkeypatch):
    import app.main as main

    started = []
    monkeypatch.setattr(main, "start_warm_up", lambda: started.append(True))
    with TestClient(main.create_app()):
        assert started == [True]


def test_each_worker_pool_process_starts_the_warm_up(monkeypatch):
    from celery.signals import worker_process_init

    import app.wiring as wiring

    started = []
    monkeypatch.setattr(wiring, "start_warm_up", lambda: started.append(True))
    wiring.wire()
    worker_process_init.send(sender=None)
    assert started == [True]
