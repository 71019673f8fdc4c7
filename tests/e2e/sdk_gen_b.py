"""The generated Retab SDK (0.0.148), unmodified, kept apart from the venv's 0.0.140.

It is installed once into the provisioning cache (`deploy/local/provision.sh` does it; the fixture
does it too when the cache lacks it) and run in a subprocess whose `PYTHONPATH` puts it first,
since one interpreter cannot import two versions of `retab`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

GEN_B_VERSION = "0.0.148"

# Run in the subprocess: argv = base_url, api_key, then one JSON command per argument.
SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import retab
from retab import Retab
assert retab.__file__.startswith(sys.argv[1]), retab.__file__
client = Retab(api_key=sys.argv[3], base_url=sys.argv[2])
out = []
for raw in sys.argv[4:]:
    cmd = json.loads(raw)
    try:
        if cmd["op"] == "list":
            page = client.jobs.list(**cmd.get("args", {}))
            out.append({"ok": [[j.id, str(getattr(j.endpoint, "value", j.endpoint))] for j in page.data]})
        elif cmd["op"] == "get":
            j = client.jobs.get(cmd["id"])
            out.append({"ok": [j.id, str(getattr(j.endpoint, "value", j.endpoint)), j.status]})
        elif cmd["op"] == "create":
            j = client.jobs.create(endpoint=cmd["endpoint"], request=cmd["request"])
            out.append({"ok": [j.id, str(getattr(j.endpoint, "value", j.endpoint)), j.status]})
    except Exception as exc:
        out.append({"error": type(exc).__name__, "message": str(exc)[:300]})
print(json.dumps(out))
"""


def cache_dir() -> Path:
    root = os.environ.get("JOBSTREAM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jobstream"
    )
    return Path(root) / f"retab-{GEN_B_VERSION}"


def ensure_installed() -> Path:
    """The target directory holding retab 0.0.148 (its dependencies are the venv's)."""
    target = cache_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".retab-{GEN_B_VERSION}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "retab" / "client.py").exists():
            staging = target.with_name(target.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 "--no-deps", "--target", str(staging), f"retab=={GEN_B_VERSION}"],
                check=True,
            )  # fmt: skip
            staging.rename(target)
    return target


def run_gen_b(target: Path, base_url: str, api_key: str, *commands: dict[str, Any]) -> list[Any]:
    """Run the commands with the generated SDK; each answer is {"ok": …} or {"error": name}."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target), base_url, api_key,
         *(json.dumps(c) for c in commands)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    result: list[Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
