"""Issue 8, defect 2: PATCH racing DELETE on one id (contacts, senders, templates) on real
PostgreSQL. The loser of a race gets 404 (or 409), never a 500, and exactly one of several
concurrent DELETEs gets 204."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.factories import make_contact, make_sender, make_template

ROUNDS = 6
DELETES, PATCHES = 4, 8


def _race(client, headers, url: str, patch_body: dict) -> list[tuple[str, int, str]]:
    calls = [("DELETE", None)] * DELETES + [("PATCH", patch_body)] * PATCHES
    random.shuffle(calls)

    def run(call: tuple[str, dict | None]) -> tuple[str, int, str]:
        method, body = call
        r = client.request(method, url, json=body, headers=headers)
        return method, r.status_code, r.text[:200]

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _check(results: list[tuple[str, int, str]]) -> None:
    assert all(status < 500 for _, status, _ in results), results
    deletes = [status for method, status, _ in results if method == "DELETE"]
    assert deletes.count(204) == 1, results
    assert set(deletes) <= {204, 404, 409}, results
    patches = {status for method, status, _ in results if method == "PATCH"}
    assert patches <= {200, 404, 409}, results


@pytest.mark.parametrize("kind", ["contacts", "phone-numbers", "templates"])
def test_patch_racing_delete_never_500s_and_one_delete_wins(client, db, workspace, kind):
    for round_ in range(ROUNDS):
        if kind == "contacts":
            row = make_contact(db, workspace.id, f"+1415555{4000 + round_:04d}")
            body = {"name": "Renamed"}
        elif kind == "phone-numbers":
            row = make_sender(db, workspace.id, f"10000000000{round_:04d}", provider="sandbox")
            body = {"name": "Renamed", "max_per_hour": 5}
        else:
            row = make_template(db, workspace.id, f"promo_{round_}")
            body = {"body": "Hi {{1}}, again {{2}}"}
        results = _race(client, workspace.headers, f"/api/v1/{kind}/{row.id}", body)
        _check(results)
        assert client.get(f"/api/v1/{kind}/{row.id}", headers=workspace.headers).status_code == 404
