"""The shell provisioner and the Python stack agree on which FerretDB build to run."""

from __future__ import annotations

import re
from pathlib import Path

from jobstream.devstack import infra

ROOT = Path(__file__).resolve().parents[2]


def test_the_ferretdb_patch_level_is_the_same_in_provision_sh_and_infra() -> None:
    script = (ROOT / "deploy/local/provision.sh").read_text()
    match = re.search(r"^ferretdb_patch_level=(\S+)", script, re.MULTILINE)
    assert match is not None
    assert match.group(1) == infra.FERRETDB_PATCH_LEVEL
    assert list((ROOT / "deploy/local/ferretdb").glob("*.patch")), "the patches it levels"
