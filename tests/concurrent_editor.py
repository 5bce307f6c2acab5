"""A secretariat editor in its own process, for the concurrency test.

    python tests/concurrent_editor.py DATA_DIR NAME ROUNDS NUMBER [NUMBER ...]

Edits each NUMBER's English title ROUNDS times (``"<NAME> round <i>"``) through the
same path the admin pages use (optimistic locking, audit, index update), retrying
on a version conflict, and prints how many edits it committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.editing import Conflict, Editor
from catalogue.engine import Engine
from catalogue.settings import Settings


def main() -> int:
    data_dir, name, rounds, *numbers = sys.argv[1:]
    engine = Engine.open(Settings.load({"data_dir": data_dir}, environ={}))
    editor = Editor(engine)
    done = 0
    for i in range(int(rounds)):
        for number in numbers:
            while True:
                record = engine.store.get(number)
                record.title_en = f"{name} round {i}"
                try:
                    editor.save(record, name, expected_version=record.version)
                    done += 1
                    break
                except Conflict:
                    continue
    print(done)
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
