"""The `gongji` command: serve, migrate, demo, import-members, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from tortoise.exceptions import DBConnectionError, OperationalError

from gongji import db, pii
from gongji.clock import SystemClock
from gongji.errors import DomainError
from gongji.settings import ConfigurationError, MocksOutsideDevelopment, Settings

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")


WRITES_PERSONAL_DATA = frozenset(
    {"serve", "demo", "import-members", "rotate-keys", "import-credits", "record-inheritance",
     "record-move", "record-death"}
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gongji",
        description="共济 family mutual-aid API: the server and the operator's commands.",
        epilog="Every command reads the environment the server does (DATABASE_URL, GONGJI_ENV, "
        "GONGJI_PII_KEYS, …: README, Configuration). On failure a command prints one line and "
        "exits non-zero.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve GraphQL (GraphiQL at /graphql)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (Redis shares their limits)"
    )
    commands.add_parser("migrate", help="apply database migrations")
    demo = commands.add_parser("demo", help="load the demo data (safe to run twice)")
    demo.add_argument(
        "--reset",
        action="store_true",
        help="delete everything and load the demo again; refused unless the database holds"
        " nothing but demo data",
    )
    importer = commands.add_parser("import-members", help="load a registry CSV, all or nothing")
    importer.add_argument("file", type=Path)
    credits = commands.add_parser(
        "import-credits",
        help="load the region's personal-account credit file (CSV), all or nothing, idempotent",
    )
    credits.add_argument("file", type=Path)
    move = commands.add_parser(
        "record-move", help="转移接续: a member's insurance moved to another region (R20)"
    )
    move.add_argument("id_number")
    move.add_argument("region", help="the new insured region, GB/T 2260")
    death = commands.add_parser("record-death", help="a member died (R20): the estate is held")
    death.add_argument("id_number")
    inheritance = commands.add_parser(
        "record-inheritance",
        help="a deceased member's heirs and shares (R20): the estate goes to them",
    )
    inheritance.add_argument("id_number", nargs="?", help="the deceased member's ID number")
    inheritance.add_argument(
        "--heir",
        action="append",
        default=[],
        metavar="NAME:ID_NUMBER:SHARE",
        help="one heir, e.g. 张小明:620102201406010132:1/2 (repeat for each heir)",
    )
    inheritance.add_argument(
        "--file",
        type=Path,
        help="CSV with columns deceased_id_number,heir_name,heir_id_number,share",
    )
    commands.add_parser(
        "reconcile", help="recompute every balance from the ledger; non-zero on mismatch"
    )
    institution = commands.add_parser("add-institution", help="register a designated institution")
    institution.add_argument("code", help="H/P + 6-digit region + 5 digits, e.g. H62010200001")
    institution.add_argument("name")
    key = commands.add_parser("issue-api-key", help="issue an institution API key (shown once)")
    key.add_argument("code")
    key.add_argument("--label", required=True, help="which system holds it, e.g. HIS-2026")
    key.add_argument("--expires-days", type=int, help="the key stops working after N days")
    listing = commands.add_parser("list-api-keys", help="an institution's keys (never secrets)")
    listing.add_argument("code")
    revoke_one = commands.add_parser("revoke-api-key", help="revoke one key, by its id")
    revoke_one.add_argument("key_id")
    revoke = commands.add_parser("revoke-api-keys", help="revoke every key of an institution")
    revoke.add_argument("code")
    agent = commands.add_parser(
        "add-agent",
        help="add a service-hall agent (password from GONGJI_AGENT_PASSWORD or stdin)",
    )
    agent.add_argument("username")
    agent.add_argument("name")
    agent.add_argument("office_region")
    agent.add_argument(
        "--scope",
        choices=["city", "province", "nationwide"],
        default="city",
        help="where the agent may act, around the office's region (default: its city)",
    )
    commands.add_parser(
        "rotate-keys",
        help="re-seal every ID number and phone under the first key of GONGJI_PII_KEYS",
    )
    commands.add_parser(
        "expire-invitations",
        help="mark pending invitations past their expiry EXPIRED and notify both sides (cron)",
    )
    commands.add_parser(
        "send-notices", help="send the WeChat subscription messages that are due (retries)"
    )
    insurer = commands.add_parser(
        "register-insurer",
        help="register a commercial health insurer premiums may be paid to (R16)",
    )
    insurer.add_argument("code", help="the insurer's code, e.g. PICC-HEALTH")
    insurer.add_argument("name")
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"configuration: {error}", file=sys.stderr)
        return 2
    handler = {
        "serve": _serve,
        "migrate": _migrate,
        "demo": _demo,
        "import-members": _import_members,
        "import-credits": _import_credits,
        "record-move": _record_move,
        "record-death": _record_death,
        "record-inheritance": _record_inheritance,
        "export-schema": _export_schema,
        "reconcile": _reconcile,
        "add-institution": _add_institution,
        "issue-api-key": _issue_api_key,
        "list-api-keys": _list_api_keys,
        "revoke-api-key": _revoke_api_key,
        "revoke-api-keys": _revoke_api_keys,
        "add-agent": _add_agent,
        "rotate-keys": _rotate_keys,
        "expire-invitations": _expire_invitations,
        "send-notices": _send_notices,
        "register-insurer": _register_insurer,
    }[args.command]
    try:
        if args.command == "serve":
            settings.refuse_mocks_outside_development()  # the first thing to fix, if both
        if args.command in WRITES_PERSONAL_DATA:  # refuse before any work; others load lazily
            pii.use(pii.Keyring.from_settings(settings))
        return handler(args, settings)
    except ConfigurationError as error:
        print(f"gongji: {error}", file=sys.stderr)
        return 2
    except (DBConnectionError, OperationalError, OSError) as error:
        where = _shown(settings.database_url)
        print(f"cannot use the database {where}: {_line(error)}", file=sys.stderr)
        return 2


def _line(error: BaseException) -> str:
    """The error on one line, with the fix when the database has no tables yet."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    if "no such table" in lowered or "does not exist" in lowered or "doesn't exist" in lowered:
        return f"{text} (run gongji migrate)"
    return text


def _shown(database_url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(database_url)
    if not parts.password:
        return database_url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from gongji import logs
    from gongji.app import create_app

    try:
        settings.refuse_mocks_outside_development()
        logs.configure(settings.log_format)
    except (MocksOutsideDevelopment, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"GraphiQL: http://{args.host}:{args.port}/graphql  (database: {settings.database_url})")
    # log_config=None keeps the handler installed above; our request line replaces the access log.
    # proxy_headers off: GONGJI_TRUSTED_PROXIES alone decides whom X-Forwarded-For names.
    options = dict(
        host=args.host, port=args.port, log_config=None, access_log=False, proxy_headers=False
    )
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    # Each worker builds its own app from the environment; their metrics meet in one directory.
    with tempfile.TemporaryDirectory(prefix="gongji-metrics-") as shared:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", shared)
        uvicorn.run("gongji.app:create_app", factory=True, workers=args.workers, **options)
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_start":  # a migration may rebuild big tables (0007): say which
            print(f"applying {app}.{name} …", flush=True)

    if asyncio.run(db.migrate(settings.database_url, progress=progress)):
        print(f"created the database {settings.database_url}")
    print(f"migrations applied to {settings.database_url}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from gongji import demo
    from gongji.regions.policy import PolicyBook

    policies = PolicyBook.load(settings.policy_file)
    load = demo.reset if args.reset else demo.load
    try:
        counts = _with_db(settings, lambda: load(SystemClock().now(), policies))
    except DomainError as error:
        return _refused(error)
    done = "demo data reset" if args.reset else "demo data loaded"
    print(f"{done}: {counts['members']} people, {counts['institutions']} institutions")
    return 0


def _import_members(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from gongji.members import imports, registry
    from gongji.regions.policy import PolicyBook

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    policies = PolicyBook.load(settings.policy_file)
    rows, errors = registry.parse(text, policies)
    if errors:
        for bad in errors:
            print(f"{args.file}:{bad.line}: {bad.reason}", file=sys.stderr)
        print(f"{len(errors)} bad line(s); nothing was imported", file=sys.stderr)
        return 1

    with Progress(transient=True) as progress:
        task = progress.add_task("importing", total=len(rows))
        created, updated = _with_db(
            settings,
            lambda: imports.import_rows(
                rows,
                now=SystemClock().now(),
                policies=policies,
                progress=lambda n: progress.advance(task, n),
            ),
        )
    print(f"imported {len(rows)} member(s): {created} new, {updated} updated")
    return 0


def _stderr_progress() -> Progress:
    from rich.console import Console
    from rich.progress import Progress

    return Progress(console=Console(stderr=True), transient=True)


def _import_credits(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.credits import rules, service
    from gongji.money import format_yuan

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    lines, errors = rules.parse(text)
    if not errors:
        with _stderr_progress() as progress:
            task = progress.add_task("crediting", total=2 * len(lines))
            try:
                done = _with_db(
                    settings,
                    lambda: service.import_credits(
                        lines,
                        now=SystemClock().now(),
                        progress=lambda n: progress.advance(task, n),
                    ),
                )
            except service.CreditFileRejected as rejected:
                errors = rejected.errors
    if errors:
        for bad in errors:
            print(f"{args.file}:{bad.line}: {bad.reason}", file=sys.stderr)
        print(f"{len(errors)} bad line(s); nothing was credited", file=sys.stderr)
        return 1
    print(
        f"credited {done.credited} line(s), {format_yuan(done.amount)} yuan;"
        f" {done.already} already imported"
    )
    return 0


def _record_move(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.lifecycle import service
    from gongji.regions.policy import PolicyBook

    policies = PolicyBook.load(settings.policy_file)
    try:
        moved = _with_db(
            settings,
            lambda: service.record_move(
                id_number=args.id_number,
                region=args.region,
                policies=policies,
                now=SystemClock().now(),
                by="cli",
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(moved.summary())
    return 0


def _record_death(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.lifecycle import service

    try:
        ended = _with_db(
            settings,
            lambda: service.record_death(
                id_number=args.id_number, now=SystemClock().now(), by="cli"
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(ended.summary())
    return 0


def _record_inheritance(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.lifecycle import rules, service

    try:
        if args.file:
            estates = rules.parse_heirs_file(args.file.read_text(encoding="utf-8"))
        else:
            estates = {args.id_number or "": rules.parse_heir_arguments(args.heir)}
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1

    async def run() -> list[str]:
        return [
            (
                await service.record_inheritance(
                    id_number=deceased, heirs=heirs, now=SystemClock().now(), by="cli"
                )
            ).summary()
            for deceased, heirs in estates.items()
        ]

    try:
        for line in _with_db(settings, run):
            print(line)
    except DomainError as error:
        return _refused(error)
    return 0


def _with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await db.connect(settings.database_url)
        try:
            return await work()
        finally:
            await db.disconnect()

    return asyncio.run(run())


def _refused(error: DomainError) -> int:
    print(f"refused: {error.code.value}: {error.message('en')}", file=sys.stderr)
    return 1


def _add_institution(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.institutions import service

    try:
        found = _with_db(
            settings,
            lambda: service.register(code=args.code, name=args.name, now=SystemClock().now()),
        )
    except DomainError as error:
        return _refused(error)
    print(f"{found.code} {found.name} ({found.kind.value}, region {found.region})")
    return 0


def _register_insurer(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.insurance import service

    try:
        found = _with_db(
            settings,
            lambda: service.register_insurer(
                code=args.code, name=args.name, now=SystemClock().now()
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(f"{found.code} {found.name}")
    return 0


def _issue_api_key(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.institutions import service

    try:
        key, secret = _with_db(
            settings,
            lambda: service.issue_api_key(
                code=args.code,
                label=args.label,
                expires_in_days=args.expires_days,
                now=SystemClock().now(),
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(secret)
    print(
        f"key {key.id} ({key.label}). Store it now: only its hash is kept. "
        "Send it as Authorization: Bearer <key>.",
        file=sys.stderr,
    )
    return 0


def _list_api_keys(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.institutions import queries
    from gongji.institutions.models import ApiKey
    from gongji.institutions.rules import key_status

    async def keys() -> list[ApiKey]:
        return await queries.api_keys((await queries.by_code(args.code)).id)

    try:
        found = _with_db(settings, keys)
    except DomainError as error:
        return _refused(error)
    now = SystemClock().now()

    def when(moment: object) -> str:
        return moment.isoformat(timespec="seconds") if isinstance(moment, datetime) else "-"

    print("id\tprefix\tlabel\tstatus\tcreated\tlast used\texpires")
    for key in found:
        status = key_status(key.revoked_at, key.expires_at, now).value
        print(
            f"{key.id}\t{key.prefix}\t{key.label}\t{status}\t{when(key.created_at)}"
            f"\t{when(key.last_used_at)}\t{when(key.expires_at)}"
        )
    return 0


def _revoke_api_key(args: argparse.Namespace, settings: Settings) -> int:
    import uuid

    from gongji.institutions import service

    try:
        key_id = uuid.UUID(args.key_id)
    except ValueError:
        print("refused: INVALID_INPUT: not a key id (see list-api-keys)", file=sys.stderr)
        return 1
    try:
        key = _with_db(
            settings,
            lambda: service.revoke_key(
                key_id=key_id, institution_id=None, actor=("system", "cli"), now=SystemClock().now()
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(f"revoked key {key.id} ({key.label}); the institution's other keys still work")
    return 0


def _revoke_api_keys(args: argparse.Namespace, settings: Settings) -> int:
    from gongji.institutions import service

    try:
        count = _with_db(
            settings, lambda: service.revoke_api_keys(code=args.code, now=SystemClock().now())
        )
    except DomainError as error:
        return _refused(error)
    print(f"revoked {count} key(s)")
    return 0


def _add_agent(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from gongji.identity import service
    from gongji.identity.rules import AgentScope

    password = os.environ.get("GONGJI_AGENT_PASSWORD") or sys.stdin.readline().strip()
    try:
        agent = _with_db(
            settings,
            lambda: service.add_agent(
                username=args.username,
                name=args.name,
                office_region=args.office_region,
                password=password,
                now=SystemClock().now(),
                scope=AgentScope(args.scope),
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(
        f"agent {agent.username} ({agent.name}, {agent.office_region}, "
        f"scope {agent.scope.value}) is ready"
    )
    return 0


def _rotate_keys(_args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from gongji.members import service
    from gongji.members.models import Member

    with Progress(transient=True) as progress:
        task = progress.add_task(f"re-sealing under key {pii.keyring().current}")

        async def run() -> tuple[int, int]:
            progress.update(task, total=await Member.all().count())
            return await service.rotate_keys(progress=lambda n: progress.advance(task, n))

        try:
            checked, rewritten = _with_db(settings, run)
        except pii.UnreadableValue as error:
            print(f"rotate-keys stopped: {error}", file=sys.stderr)
            return 1
    print(
        f"{checked} member(s) checked, {rewritten} re-sealed under key {pii.keyring().current}"
    )
    return 0


def _reconcile(_args: argparse.Namespace, settings: Settings) -> int:
    from gongji.ledger.service import Reconciliation, reconcile
    from gongji.money import format_yuan
    from gongji.wallets.service import quota_problems

    async def run() -> Reconciliation:
        report = await reconcile()
        report.problems += await quota_problems()
        return report

    report = _with_db(settings, run)
    print(f"accounts:     {report.accounts}")
    print(f"transactions: {report.transactions}")
    print(f"entries:      {report.entries}")
    print(f"debits:       {format_yuan(report.debits)}")
    print(f"credits:      {format_yuan(report.credits)}")
    for problem in report.problems:
        print(f"MISMATCH {problem}")
    print("ledger is balanced" if report.clean else f"{len(report.problems)} problem(s)")
    return 0 if report.clean else 1


def _with_notices(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    """Run `work` with this process's notice channels, and let them finish before exit."""
    from gongji.app import notice_dispatch
    from gongji.clock import SystemClock
    from gongji.notices import delivery

    async def run() -> int:
        dispatch = notice_dispatch(settings, SystemClock())
        delivery.use(dispatch)
        try:
            return await work()
        finally:
            await dispatch.close()

    return _with_db(settings, run)


def _expire_invitations(_args: argparse.Namespace, settings: Settings) -> int:
    from gongji.clock import SystemClock
    from gongji.families.service import expire_invitations

    async def run() -> int:
        total = 0
        while expired := await expire_invitations(now=SystemClock().now()):
            total += expired
        return total

    print(f"expired: {_with_notices(settings, run)}")
    return 0


def _send_notices(_args: argparse.Namespace, settings: Settings) -> int:
    from gongji.notices import delivery
    from gongji.notices.wechat import WechatOutbox

    async def run() -> int:
        outbox = delivery.current().outbox
        return await outbox.sweep() if isinstance(outbox, WechatOutbox) else 0

    print(f"sent: {_with_notices(settings, run)}")
    return 0


def _export_schema(args: argparse.Namespace, _settings: Settings) -> int:
    from gongji.api.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output:
        try:
            args.output.write_text(sdl, encoding="utf-8")
        except OSError as error:
            print(f"cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(sdl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
