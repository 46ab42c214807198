"""`gongji import-members` as a user runs it: a real process on a migrated SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum.cn import ric

from gongji.members import registry
from gongji.regions.policy import PolicyBook


def number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


HEADER = "name,id_number,insurance_type,insured_region,status,phone\n"
GOOD = [
    f"王芳,{number('62010219800101002')},employee,620100,normal,13800000001",
    f"刘强,{number('62010219750505003')},resident,620100,,",
]


def gongji(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'registry.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "gongji.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count_members(tmp_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(tmp_path / "registry.sqlite3") as conn:
        return int(conn.execute("select count(*) from member").fetchone()[0])


def test_bad_file_reports_every_line_and_writes_nothing(tmp_path: Path) -> None:
    assert gongji(tmp_path, "migrate").returncode == 0
    bad = [
        *GOOD,
        "张三,110105194912310021,employee,620100,normal,",  # check character
        f"李四,{number('62010219800101005')},farmer,620100,normal,",  # insurance type
        f"赵六,{number('62010219800101007')},resident,990100,normal,",  # unknown province
        f"王芳二,{GOOD[0].split(',')[1]},employee,620100,normal,",  # repeats line 2
    ]
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "\n".join(bad) + "\n", encoding="utf-8")
    result = gongji(tmp_path, "import-members", str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[1] for line in lines[:4]] == ["4", "5", "6", "7"]
    assert "check character" in lines[0]
    assert "insurance_type" in lines[1]
    assert "unknown province" in lines[2]
    assert "repeats line 2" in lines[3]
    assert "nothing was imported" in result.stderr
    assert count_members(tmp_path) == 0


def test_good_file_imports_then_updates(tmp_path: Path) -> None:
    assert gongji(tmp_path, "migrate").returncode == 0
    path = tmp_path / "members.csv"
    path.write_text("\ufeff" + HEADER + "\n".join(GOOD) + "\n", encoding="utf-8")  # Excel's BOM
    first = gongji(tmp_path, "import-members", str(path))
    assert first.returncode == 0, first.stderr
    assert "2 new, 0 updated" in first.stdout
    again = gongji(tmp_path, "import-members", str(path))
    assert "0 new, 2 updated" in again.stdout
    assert count_members(tmp_path) == 2


@pytest.mark.parametrize("header", ["name,id_number\n", ""])
def test_missing_columns_are_reported_on_line_1(header: str) -> None:
    rows, errors = registry.parse(header, PolicyBook.load())
    assert rows == []
    assert errors[0].line == 1 and "missing columns" in errors[0].reason
