"""Reading a rule set as it was at a git revision (``git show``), so a pull request's rule
change can be judged against main without checking anything out."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import UsageError


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise UsageError(f"git {' '.join(args)}: {exc.stderr.decode(errors='replace').strip()}") from None
    return done.stdout


def checkout_rules(revision: str, rules_dir: Path, target: Path) -> Path:
    """Write the files of ``rules_dir`` as of ``revision`` under ``target``; returns the copy's folder."""
    rules_dir = rules_dir.resolve()
    root = Path(_git(["rev-parse", "--show-toplevel"], rules_dir).decode().strip())
    relative = rules_dir.relative_to(root).as_posix()
    names = _git(["ls-tree", "-r", "--name-only", revision, "--", relative], root).decode().splitlines()
    if not names:
        raise UsageError(f"no rule set at '{relative}' in git revision '{revision}'")
    for name in names:
        destination = target / Path(name).relative_to(relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(_git(["show", f"{revision}:{name}"], root))
    return target
