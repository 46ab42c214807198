"""`gongji run-jobs`: one pass for cron, as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_one_pass_reports_what_it_did(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'jobs.sqlite3'}"}

    def gongji(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gongji.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert gongji("migrate").returncode == 0
    ran = gongji("run-jobs")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "transfers returned: 0; authorizations ended: 0"
    assert gongji("reconcile").returncode == 0
