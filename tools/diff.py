#!/usr/bin/env python
"""Compare two report builds in the manner of `dvc metrics diff` (make diff).

    .venv/bin/python tools/diff.py [--history DIR] [OLD [NEW]]

OLD and NEW are snapshot files of the history folder (history/ by default), or indices into it
(-1 the latest, -2 the one before); without them, the previous build against the latest. Prints the
same rows and causes as the report's "What changed" section, as Markdown.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from mnistflow import history  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def pick(found: list[Path], spec: str) -> Path:
    if Path(spec).is_file():
        return Path(spec)
    try:
        return found[int(spec)]
    except (ValueError, IndexError):
        sys.exit(f"no snapshot {spec!r}: give a file or an index from -{len(found)} to {len(found) - 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["report"]["history_dir"]
    parser.add_argument("--history", default=default, help=f"the history folder (config report.history_dir: {default})")
    parser.add_argument("old", nargs="?", default="-2")
    parser.add_argument("new", nargs="?", default="-1")
    args = parser.parse_args()
    found = history.snapshots(args.history)
    if not found:
        sys.exit(f"no build snapshots in {args.history}/: build the report first (make report)")
    new = history.load(pick(found, args.new))
    if len(found) < 2 and not Path(args.old).is_file():
        print(history.markdown(history.compare(None, new, REPO)), end="")
        return
    old = history.load(pick(found, args.old))
    print(history.markdown(history.compare(old, new, REPO)), end="")


if __name__ == "__main__":
    main()
