"""A writer in its own process, for the fault tests (it is killed at random points).

    python tests/faults/worker.py edit DATA_DIR NUMBER ROUNDS
    python tests/faults/worker.py create DATA_DIR START COUNT

``edit`` sets NUMBER's English title to ``"worker edit <i>"`` ROUNDS times; ``create``
adds COUNT synthetic records (labelled so) numbered from START.  Both go through the
secretariat's path (validation, optimistic lock, audit, index update) and print one
line per committed change.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.model import Standard
from catalogue.settings import Settings


def main() -> int:
    action, data_dir, *args = sys.argv[1:]
    engine = Engine.open(Settings.load({"data_dir": data_dir}, environ={}))
    editor = Editor(engine)
    print("ready", flush=True)
    if action == "edit":
        number, rounds = args[0], int(args[1])
        for i in range(rounds):
            record = engine.store.get(number)
            record.title_en = f"worker edit {i}"
            editor.save(record, "worker", expected_version=record.version)
            print(i, flush=True)
    elif action == "create":
        start, count = int(args[0]), int(args[1])
        for i in range(count):
            record = Standard(
                number=f"TCVN {start + i}:2024",
                title_vi=f"Bản ghi thử nghiệm {i}",
                title_en=f"Synthetic worker record {i}",
                status="active",
                sources=[{"ref": "synthetic fixture", "kind": "test"}],
            )
            editor.save(record, "worker", expected_version=None)
            print(record.number, flush=True)
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
