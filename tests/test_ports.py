"""Ports taken by another process: chosen free, a port can be taken before a server binds it
(two stacks, two test sessions starting on one machine). The web app listens on a socket bound
before anything else starts; the Temporal dev server, which binds its own, starts again on fresh
ports when it exits at start."""

import asyncio
import socket
import subprocess
from pathlib import Path

import pytest

from settings import Settings
from stack.runner import PortInUse, Stack
from stack.temporal import DevServer, bound_socket

from .test_cli import CLI, ENV


async def test_the_dev_server_starts_again_on_fresh_ports_when_its_port_is_taken(tmp_path: Path):
    server = DevServer(tmp_path / "temporal", ui=False)
    taken = bound_socket("127.0.0.1", server.port)  # another process got there first
    taken.listen()
    try:
        address = await server.start()
        assert server.port != taken.getsockname()[1] and address == server.address
    finally:
        server.stop()
        taken.close()


async def test_a_web_port_in_use_is_refused_with_the_port_named(tmp_path: Path, pg_dsn: str,
                                                                 stack: Stack):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = Settings(DATABASE_URL=pg_dsn,  # type: ignore[call-arg]
                            TEMPORAL_ADDRESS=stack.info["temporal_address"])
        with pytest.raises(PortInUse, match=f"cannot listen on 127.0.0.1:{port}"):
            async with Stack(settings, tmp_path, port=port, worker=False, ui=False):
                pass


def test_up_on_a_port_in_use_says_so_and_starts_nothing(tmp_path: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([*CLI, "up", "--data-dir", str(tmp_path / "data"), "--port",
                               str(port), "--no-ui"], env={**ENV, "LANGUAGE": "fr"},
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"127.0.0.1:{port} est déjà utilisé" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "pg").exists()  # no database started for nothing


async def test_connections_to_the_bound_socket_send_at_once():
    # TCP_NODELAY on each accepted connection, as asyncio sets it on sockets it creates: without
    # it an answer's body waited for the client's delayed ACK of its headers (40 ms a request,
    # the test suite's API calls 5 minutes in all).
    listener = bound_socket("127.0.0.1", 0)
    nodelay: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(serve, sock=listener)
    async with server:
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        await reader.read()  # the server has accepted, looked and closed
        writer.close()
    assert nodelay == [1]
