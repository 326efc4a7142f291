"""Validate a training-only reply file (tests/data/replies/extra/*.txt) before a build.

    python scripts/reply_dataset/check_extra.py tests/data/replies/extra/<file>.txt

Checks the format, the intent names and duplicate texts (within the file and against the
train split). It reads neither held-out file: whoever writes training data must not see them.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import DATA, norm_key, read_hand_written


def main(argv: list[str]) -> int:
    train = {norm_key(json.loads(line)["text"]) for line in (DATA / "train.jsonl").open()}
    status = 0
    for name in argv:
        rows = read_hand_written(Path(name))  # raises ValueError on a malformed line
        keys = Counter(norm_key(r.text) for r in rows)
        dup = [k for k, n in keys.items() if n > 1]
        seen = [k for k in keys if k in train]
        print(f"{name}: {len(rows)} lines")
        print("  intents:", dict(Counter(r.intent for r in rows)))
        print("  languages:", dict(Counter(r.lang for r in rows)))
        print("  sentiment:", dict(Counter(r.sentiment for r in rows)))
        if dup:
            status = 1
            print(f"  {len(dup)} duplicated texts, e.g. {dup[:5]}")
        if seen:
            print(f"  {len(seen)} texts already in train.jsonl (will be dropped), e.g. {seen[:5]}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
