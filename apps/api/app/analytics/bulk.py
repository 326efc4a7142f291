"""Insert-or-update many rollup rows at once (the refresh writes thousands per run)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.db import dialect_insert


def upsert(
    db: Session,
    table: Any,
    rows: list[dict[str, Any]],
    keys: list[str],
    update: str,
    *,
    add: bool = False,
) -> None:
    """Insert-or-update many rows. PostgreSQL: one INSERT … SELECT FROM
    json_populate_recordset(one JSON parameter) per 5,000 rows — nothing compiled or quoted
    per row; elsewhere an executemany. `update` is the conflict's SET clause over `excluded`."""
    if not rows:
        return
    conn = db.connection()
    t = table.__table__
    if conn.dialect.name == "postgresql":
        cols = ", ".join(rows[0])
        stmt = text(
            f"INSERT INTO {t.name} ({cols}) SELECT {cols} FROM "
            f"json_populate_recordset(NULL::{t.name}, CAST(:rows AS json)) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}"
        )
        for start in range(0, len(rows), 5000):
            conn.execute(stmt, {"rows": orjson.dumps(rows[start : start + 5000]).decode()})
        return
    ins = dialect_insert(db)(table)
    set_ = {
        c: (table.value + ins.excluded.value) if add and c == "value" else getattr(ins.excluded, c)
        for c in rows[0]
        if c not in keys
    }
    conn.execute(ins.on_conflict_do_update(index_elements=keys, set_=set_), rows)
