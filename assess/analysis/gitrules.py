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
        detail = exc.stderr.decode(errors="replace").strip() or "no such revision"
        raise UsageError(f"git {' '.join(args)}: {detail}") from None
    return done.stdout


def checkout_rules(revision: str, rules_dir: Path, target: Path) -> Path:
    """Write the files of ``rules_dir`` as of ``revision`` under ``target``; returns the copy's folder."""
    rules_dir = rules_dir.resolve()
    root = Path(_git(["rev-parse", "--show-toplevel"], rules_dir).decode().strip()).resolve()
    if not rules_dir.is_relative_to(root):
        raise UsageError(f"the rule set '{rules_dir}' is not inside the git repository {root}")
    relative = rules_dir.relative_to(root).as_posix()
    # resolved to a commit id first, so nothing the user typed is ever read by git as an option
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], root).decode().strip()
    names = [name for name in _git(["ls-tree", "-r", "-z", "--name-only", commit, "--", relative], root).decode().split("\0")
             if name]
    if not names:
        raise UsageError(f"no rule set at '{relative}' in git revision '{revision}'")
    for name in names:
        destination = target / Path(name).relative_to(relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(_git(["show", f"{commit}:{name}"], root))
    return target
