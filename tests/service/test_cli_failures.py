"""Every operator command, made to fail: a non-zero exit and one clear line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Each command runs in this one process (one interpreter start for all), its stderr captured.
RUN_EACH = """
import contextlib, io, json, sys
from gongji.cli import main

results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    results.append([argv, code, err.getvalue()])
print(json.dumps(results))
"""

KEY = "6f0c9c4e-0000-4000-8000-000000000000"
EVERY_COMMAND_ON_A_DATABASE = [
    ["migrate"],
    ["demo"],
    ["demo", "--reset"],
    ["reconcile"],
    ["add-institution", "H62010200001", "兰州医院"],
    ["issue-api-key", "H62010200001", "--label", "his"],
    ["list-api-keys", "H62010200001"],
    ["revoke-api-key", KEY],
    ["revoke-api-keys", "H62010200001"],
    ["add-agent", "hall-1", "李经办", "620100"],
    ["rotate-keys"],
]


def run_each(commands: list[list[str]], database_url: str) -> list[tuple[list[str], int, str]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GONGJI_AGENT_PASSWORD": "a-long-agent-password",
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_EACH, json.dumps(commands)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr  # main() itself never raised
    return [(argv, code, err) for argv, code, err in json.loads(done.stdout)]


def assert_one_clear_line(results: list[tuple[list[str], int, str]], says: str) -> None:
    for argv, code, err in results:
        assert code != 0, argv
        assert "Traceback" not in err, (argv, err)
        assert err.count("\n") == 1, (argv, err)
        assert says in err, (argv, err)


def test_with_the_database_down_every_command_says_so_in_one_line() -> None:
    down = "postgres://postgres@127.0.0.1:1/gongji"  # nothing listens on port 1
    assert_one_clear_line(
        run_each(EVERY_COMMAND_ON_A_DATABASE, down), "cannot use the database"
    )


def test_on_a_database_never_migrated_every_command_says_so(tmp_path: Path) -> None:
    empty = f"sqlite://{tmp_path / 'empty.sqlite3'}"
    (tmp_path / "empty.sqlite3").touch()
    commands = [c for c in EVERY_COMMAND_ON_A_DATABASE if c[0] != "migrate"]
    assert_one_clear_line(run_each(commands, empty), "run gongji migrate")


def test_bad_files_are_named_in_one_line(tmp_path: Path) -> None:
    missing, unwritable = tmp_path / "missing.csv", tmp_path / "no-such-dir" / "schema.graphql"
    database = f"sqlite://{tmp_path / 'db.sqlite3'}"
    [(_, read, read_err), (_, write, write_err)] = run_each(
        [["import-members", str(missing)], ["export-schema", "--output", str(unwritable)]],
        database,
    )
    assert (read, read_err.count("\n")) == (2, 1) and f"cannot read {missing}" in read_err
    assert (write, write_err.count("\n")) == (2, 1)
    assert f"cannot write {unwritable}" in write_err


def test_a_bad_csv_names_each_bad_line_then_says_nothing_was_imported(tmp_path: Path) -> None:
    bad = tmp_path / "registry.csv"
    bad.write_text("name,id_number\n张伟,123\n", encoding="utf-8")
    [(_, code, err)] = run_each([["import-members", str(bad)]], f"sqlite://{tmp_path / 'x.db'}")
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[-1] == "1 bad line(s); nothing was imported"
