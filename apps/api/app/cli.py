"""`agent`: the operator's command line (migrate, workspaces, API keys, demo data, embedded run).

App modules are imported inside the commands, not at the top: settings are read once at import
time, and `agent run` must choose its (embedded) environment before that happens.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

cli = typer.Typer(
    name="agent",
    help="Smart WhatsApp Agent: service administration and the embedded one-command run.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
workspace_cli = typer.Typer(help="Workspaces (tenants).", no_args_is_help=True)
keys_cli = typer.Typer(help="API keys of a workspace.", no_args_is_help=True)
cli.add_typer(workspace_cli, name="workspace")
cli.add_typer(keys_cli, name="keys")

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEY_WARNING = "Store this key now: it is shown only once and cannot be recovered."


def _session():  # type: ignore[no-untyped-def]
    from app.core.db import session_scope

    return session_scope()


def _db_label(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_secret(label: str, secret: str) -> None:
    # A plain line (no markup, no wrapping) so the key can be copied or parsed by scripts.
    console.print(f"{label}: {secret}", markup=False, highlight=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the latest Alembic revision."""
    from app.core import migrate as migrations
    from app.core.config import settings
    from app.workers.embedded import sqlite_file

    console.print(f"Migrating {_db_label(settings.DATABASE_URL)} …")
    db_file = sqlite_file(settings.DATABASE_URL)
    if db_file is not None:  # SQLite creates the file, not its directory
        db_file.parent.mkdir(parents=True, exist_ok=True)
    migrations.upgrade()
    console.print("[green]Database is at the latest revision.[/green]")


@workspace_cli.command("create")
def workspace_create(name: Annotated[str, typer.Argument(help="Workspace name")]) -> None:
    """Create a workspace and its first API key (printed once)."""
    from app.workspaces import service

    if not name.strip():
        raise _fail("the workspace name cannot be empty", 2)
    with _session() as db:
        ws = service.create_workspace(db=db, name=name.strip())
        issued = service.issue_key(db=db, workspace_id=ws.id)
        ws_id, key_id = ws.id, issued.api_key.id
    console.print(f"Created workspace [bold]{ws_id}[/bold] ({name.strip()}), API key id {key_id}.")
    _print_secret("API key", issued.secret)
    console.print(f"[yellow]{KEY_WARNING}[/yellow]")


@workspace_cli.command("list")
def workspace_list() -> None:
    """List workspaces."""
    from app.workspaces import service

    table = Table("id", "name", "created_at")
    with _session() as db:
        for ws in service.list_workspaces(db=db):
            table.add_row(str(ws.id), ws.name, ws.created_at.isoformat(timespec="seconds"))
    console.print(table)


@keys_cli.command("create")
def keys_create(
    workspace_id: Annotated[int, typer.Argument(help="Workspace id")],
    name: Annotated[str, typer.Option("--name", help="A label for the key")] = "default",
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="admin: everything; send: contacts, templates, campaigns (not API keys or "
            "sender numbers); read: GET only",
        ),
    ] = "admin",
) -> None:
    """Issue a new API key for a workspace (printed once)."""
    from app.core.enums import KeyRole
    from app.core.errors import NotFound
    from app.workspaces import service

    roles = [r.value for r in KeyRole]
    if role not in roles:
        raise _fail(f"unknown role {role!r}; expected one of: {', '.join(roles)}", 2)
    with _session() as db:
        try:
            service.get_workspace(db=db, workspace_id=workspace_id)
        except NotFound as exc:
            raise _fail(f"workspace {workspace_id} does not exist") from exc
        issued = service.issue_key(db=db, workspace_id=workspace_id, name=name, role=role)
        key_id = issued.api_key.id
    console.print(f"Created API key {key_id} ({name}, role {role}) for workspace {workspace_id}.")
    _print_secret("API key", issued.secret)
    console.print(f"[yellow]{KEY_WARNING}[/yellow]")


@keys_cli.command("list")
def keys_list(workspace_id: Annotated[int, typer.Argument(help="Workspace id")]) -> None:
    """List a workspace's API keys (prefix only; secrets are never stored)."""
    from app.core.errors import NotFound
    from app.workspaces import service

    table = Table("id", "name", "role")
    table.add_column("prefix", no_wrap=True, min_width=13)  # identifies the key: never cut
    for column in ("created_at", "last_used_at", "revoked_at"):
        table.add_column(column)
    with _session() as db:
        try:
            service.get_workspace(db=db, workspace_id=workspace_id)
        except NotFound as exc:
            raise _fail(f"workspace {workspace_id} does not exist") from exc
        for key in service.list_keys(db=db, workspace_id=workspace_id):
            table.add_row(
                str(key.id),
                key.name,
                key.role,
                f"{key.prefix}…",
                key.created_at.isoformat(timespec="seconds"),
                key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "-",
                key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-",
            )
    console.print(table)


@keys_cli.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="API key id")]) -> None:
    """Revoke an API key: requests with it get 401 from now on."""
    from app.core.errors import NotFound
    from app.workspaces import service
    from app.workspaces.models import ApiKey

    with _session() as db:
        row = db.get(ApiKey, key_id)  # the CLI is workspace-agnostic: find the key's owner
        try:
            if row is None:
                raise NotFound("API key", key_id)
            key = service.revoke_key(db=db, workspace_id=row.workspace_id, key_id=key_id)
        except NotFound as exc:
            raise _fail(f"API key {key_id} does not exist") from exc
        revoked_at = key.revoked_at
    console.print(f"Revoked API key {key_id} (at {revoked_at:%Y-%m-%d %H:%M:%S} UTC).")


def _default_key_file() -> Path:
    from app.core.config import DATA_DIR

    return DATA_DIR / "demo-api-key"


@dataclass(frozen=True)
class DemoSummary:
    workspace_id: int
    sender: str
    contacts: int
    api_key: str
    key_is_new: bool
    key_file: Path | None


def _seed_demo(*, key_file: Path | None) -> DemoSummary:
    from app.demo import ensure_demo

    with _session() as db:
        d = ensure_demo(db=db, key_file=key_file)
        summary = DemoSummary(
            d.workspace.id,
            d.sender.phone_number_id,
            len(d.contacts),
            d.api_key,
            d.key_is_new,
            key_file,
        )
    return summary


def _print_demo(demo: DemoSummary, *, base_url: str) -> None:
    console.print(
        f"Demo workspace [bold]{demo.workspace_id}[/bold]: sandbox sender {demo.sender}, "
        f"{demo.contacts} opted-in contacts."
    )
    _print_secret("API key", demo.api_key)
    if demo.key_file is not None:
        # Only the demo key is kept on disk (mode 0600), so later runs can print it again.
        state = "Saved to" if demo.key_is_new else "Read from"
        console.print(f"{state} {demo.key_file}, owner-only; later runs print the same key.")
    elif demo.key_is_new:
        console.print(f"[yellow]{KEY_WARNING}[/yellow]")
    _print_secret("API docs", f"{base_url}/docs")


@cli.command()
def demo(
    key_file: Annotated[
        Path | None,
        typer.Option(help="Where the demo key is kept between runs [default: .data/demo-api-key]"),
    ] = None,
) -> None:
    """Create (or find) the Demo workspace, a sandbox sender and opted-in demo contacts."""
    from app.core.config import settings

    summary = _seed_demo(key_file=key_file or _default_key_file())
    _print_demo(summary, base_url=settings.PUBLIC_BASE_URL)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) != 0


def _wait_healthy(url: str, supervisor, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.exited() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


@cli.command()
def run(
    host: Annotated[str, typer.Option(help="Interface the API listens on")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="API port")] = DEFAULT_PORT,
    data_dir: Annotated[Path, typer.Option(help="SQLite database and broker files")] = Path(
        ".data"
    ),
) -> None:
    """Embedded mode: SQLite + SQLite broker, API and a worker with beat. Ctrl-C stops all."""
    from app.workers import embedded

    if "app.core.config" in sys.modules:
        raise _fail("`agent run` must start in a fresh process (settings already loaded)")
    if not _port_free(host, port):
        raise _fail(f"{host}:{port} is already in use; pick another with --port")
    env = embedded.embedded_env(data_dir, host=host, port=port)
    os.environ.update(env)  # this process migrates and seeds the same database

    from app.core.config import settings

    console.print(f"[bold]Embedded mode[/bold]: data in {data_dir.resolve()}/")
    migrate()
    embedded.prepare_broker(settings.CELERY_BROKER_URL)
    summary = _seed_demo(key_file=data_dir.resolve() / "demo-api-key")
    base_url = f"http://{host}:{port}"
    supervisor = embedded.Supervisor(
        {
            "api": embedded.api_command(host=host, port=port),
            "worker": embedded.worker_command(data_dir=data_dir),
        },
        env=env,
    )
    supervisor.install_signal_handlers()
    supervisor.start()
    if _wait_healthy(base_url, supervisor):
        console.rule("[green]Smart WhatsApp Agent is running")
        _print_demo(summary, base_url=base_url)
        console.print(
            f"Try: curl -H 'Authorization: Bearer <key>' {base_url}/api/v1/workspace"
            f"   (database {_db_label(settings.DATABASE_URL)})",
            markup=False,
            highlight=False,
        )
        console.print("Press Ctrl-C to stop the API and the worker.")
        console.rule()
    elif supervisor.exited() is None:
        err.print(f"[yellow]The API has not answered {base_url}/healthz yet; see the log.[/yellow]")
    raise typer.Exit(supervisor.wait())


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
