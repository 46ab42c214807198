"""The operator's commands as they run them (real processes, a SQLite file): the registry and
the credit file feed gongji; moves, deaths and heirs are recorded; reconcile after each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

EXAMPLES = ROOT / "docs" / "examples"
FATHER, DAUGHTER = "620102196805120036", "620102199509090024"


def gongji(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'operator.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "gongji.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(tmp_path: Path, *args: str) -> str:
    result = gongji(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_example_files_feed_gongji_and_life_events_keep_the_ledger(tmp_path: Path) -> None:
    ok(tmp_path, "migrate")
    assert "4 new" in ok(tmp_path, "import-members", str(EXAMPLES / "registry.csv"))
    credits = str(EXAMPLES / "credits-2026-03.csv")
    assert "credited 7 line(s), 10571.25 yuan; 0 already imported" in ok(
        tmp_path, "import-credits", credits
    )
    assert "credited 0 line(s), 0.00 yuan; 7 already imported" in ok(
        tmp_path, "import-credits", credits
    )
    assert "ledger is balanced" in ok(tmp_path, "reconcile")
    moved = ok(tmp_path, "record-move", "620103197002150048", "440300")
    assert "moved 620100 → 440300" in moved and "personal_carryover 3100.00" in moved
    assert "ledger is balanced" in ok(tmp_path, "reconcile")
    died = ok(tmp_path, "record-death", FATHER)
    assert "deceased" in died and "personal_carryover 5200.00" in died
    heirs = ok(tmp_path, "record-inheritance", "--file", str(EXAMPLES / "heirs.csv"))
    assert "刘秀兰 1/2 3056.20 paid" in heirs and "王小龙 1/4 1528.10 held" in heirs
    assert "already recorded" in ok(
        tmp_path, "record-inheritance", "--file", str(EXAMPLES / "heirs.csv")
    )
    assert "ledger is balanced" in ok(tmp_path, "reconcile")


def test_a_bad_credit_file_names_each_line_masked_and_credits_nothing(tmp_path: Path) -> None:
    ok(tmp_path, "migrate")
    ok(tmp_path, "import-members", str(EXAMPLES / "registry.csv"))
    path = tmp_path / "credits.csv"
    path.write_text(
        "id_number,period,amount,source_reference\n"
        f"{DAUGHTER},2026-04,100.00,LZ-202604-1\n"
        f"{DAUGHTER[:-1]}5,2026-04,100.00,LZ-202604-2\n"
        "62010220120301001X,2026-04,100.00,LZ-202604-3\n"
        f"{DAUGHTER},2026-04,abc,LZ-202604-4\n",
        encoding="utf-8",
    )
    result = gongji(tmp_path, "import-credits", str(path))
    assert result.returncode == 1
    assert f"{path}:3: 620102********0025: " in result.stderr
    assert f"{path}:5: amount 'abc'" in result.stderr
    assert "nothing was credited" in result.stderr
    assert DAUGHTER[:-1] + "5" not in result.stderr
    # line 4 (a resident: no personal account) is found once the file parses
    path.write_text(
        "id_number,period,amount,source_reference\n"
        f"{DAUGHTER},2026-04,100.00,LZ-202604-1\n"
        "62010220120301001X,2026-04,100.00,LZ-202604-3\n",
        encoding="utf-8",
    )
    result = gongji(tmp_path, "import-credits", str(path))
    assert result.returncode == 1
    assert f"{path}:3: 620102********001X: resident-insured" in result.stderr
    assert "credited 0" not in result.stdout and "ledger is balanced" in ok(tmp_path, "reconcile")
    assert "entries:      0" in ok(tmp_path, "reconcile")
