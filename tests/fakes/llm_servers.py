"""Small LLM servers on 127.0.0.1 that speak each provider's documented wire format.

The official SDKs are pointed at them through their base URL, so every byte goes through the
real client code (retries, timeouts, response parsing):

- OpenAI chat completions: `POST /v1/chat/completions` → `{"id", "object": "chat.completion",
  "choices": [{"message": {"role": "assistant", "content"}, "finish_reason"}], "usage"}`;
  errors `{"error": {"message", "type", "code"}}`.
- Anthropic messages: `POST /v1/messages` → `{"id", "type": "message", "role": "assistant",
  "content": [{"type": "text", "text"}], "stop_reason", "usage"}`; errors
  `{"type": "error", "error": {"type", "message"}}`.
- Ollama chat: `POST /api/chat` (stream false) → `{"model", "created_at", "message":
  {"role": "assistant", "content"}, "done": true}`; errors `{"error": "..."}`.

    with LLMServer("openai") as server:
        server.reply("hello")                       # next answer's text
        server.fail(429, times=5)                   # the next 5 requests get 429
        server.slow(2.0)                            # the next request answers after 2 s
        server.raw(b"not json")                     # the next request gets a broken body
        server.requests                             # recorded JSON bodies

Unscripted requests get `server.default_text`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages", "ollama": "/api/chat"}
ERROR_TYPES = {429: "rate_limit_error", 500: "api_error", 503: "overloaded_error"}


@dataclass
class Step:
    kind: str  # text | status | slow | raw
    text: str = ""
    status: int = 200
    delay: float = 0.0
    body: bytes = b""


def success_body(provider: str, text: str, model: str) -> dict[str, Any]:
    if provider == "openai":
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    if provider == "anthropic":
        return {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10},
        }
    return {
        "model": model,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "message": {"role": "assistant", "content": text},
        "done": True,
        "done_reason": "stop",
        "total_duration": 1000,
        "eval_count": 10,
    }


def error_body(provider: str, status: int) -> dict[str, Any]:
    message = f"test server error {status}"
    if provider == "openai":
        kind = "rate_limit_exceeded" if status == 429 else "server_error"
        return {"error": {"message": message, "type": kind, "code": kind, "param": None}}
    if provider == "anthropic":
        kind = ERROR_TYPES.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": message}


class LLMServer:
    def __init__(self, provider: str, *, default_text: str = "ok") -> None:
        if provider not in PATHS:
            raise ValueError(provider)
        self.provider = provider
        self.default_text = default_text
        self.requests: list[dict[str, Any]] = []
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # --- scripting ---------------------------------------------------------------------------
    def reply(self, text: str, times: int = 1) -> None:
        self._push(Step("text", text=text), times)

    def fail(self, status: int, times: int = 1) -> None:
        self._push(Step("status", status=status), times)

    def slow(self, delay: float, times: int = 1, text: str | None = None) -> None:
        self._push(Step("slow", delay=delay, text=text or self.default_text), times)

    def raw(self, body: bytes, times: int = 1) -> None:
        self._push(Step("raw", body=body), times)

    def _push(self, step: Step, times: int) -> None:
        with self._lock:
            self._steps.extend([step] * times)

    def _next(self) -> Step:
        with self._lock:
            return self._steps.popleft() if self._steps else Step("text", text=self.default_text)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        base = f"http://{host}:{port}"
        return base + "/v1" if self.provider == "openai" else base

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms stall)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if self.path.split("?")[0] != PATHS[server.provider]:
                    self._send(404, {"error": f"no route {self.path}"})
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(400, error_body(server.provider, 400))
                    return
                with server._lock:
                    server.requests.append(body)
                step = server._next()
                model = str(body.get("model", "test-model"))
                if step.kind == "status":
                    self._send(step.status, error_body(server.provider, step.status))
                elif step.kind == "raw":
                    self._send_bytes(200, step.body)
                else:
                    if step.kind == "slow":
                        time.sleep(step.delay)
                    self._send(200, success_body(server.provider, step.text, model))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._send_bytes(status, json.dumps(payload).encode())

            def _send_bytes(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    if status >= 400:
                        self.send_header("retry-after-ms", "5")  # keep SDK back-off short
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler
