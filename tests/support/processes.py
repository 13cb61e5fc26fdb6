"""`start_polmon`/`run_polmon`: a real `python -m monitor ARGS` process, forked by the fork server.

The object returned behaves like the `subprocess.Popen` it replaces for what the tests use:
`pid`, `returncode`, `stdout`/`stderr` pipes, `poll`, `wait`, `communicate`, `send_signal`,
`terminate`, `kill`, and use as a context manager. `POLMON_TEST_NO_FORKSERVER=1` (or a
machine without Unix sockets) gives plain `subprocess.Popen` processes instead.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import IO, Any

from tests.support.forkserver import MAX_MESSAGE

REPO_ROOT = Path(__file__).resolve().parents[2]
Stream = int | IO[Any] | None


class ForkServer:
    """One fork server process for this test process, started on first use."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="polmon-fork-"))
        self.path = str(self.folder / "socket")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.forkserver", self.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=str(REPO_ROOT),
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"ready\n":
            raise RuntimeError("the fork server did not start")

    def start(
        self, args: list[str], cwd: str | None, env: dict[str, str], fds: list[int], **more: object
    ) -> tuple[socket.socket, int] | None:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        conn.connect(self.path)
        request = {"args": args, "cwd": cwd, "env": env, **more}
        rights = (socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())
        conn.sendmsg([json.dumps(request).encode()], [rights])
        answer = json.loads(conn.recv(MAX_MESSAGE))
        if "pid" not in answer:
            conn.close()
            return None
        return conn, int(answer["pid"])

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        with contextlib.suppress(OSError):
            Path(self.path).unlink()
            self.folder.rmdir()


_server: ForkServer | None = None
_server_pid = -1
_lock = threading.Lock()


_server_failed = False


def fork_server() -> ForkServer | None:
    """This test process's fork server (started now if need be), or None where there is none:
    switched off, no Unix sockets, or it failed to start (said once, as a warning)."""
    global _server, _server_pid, _server_failed
    if os.environ.get("POLMON_TEST_NO_FORKSERVER") or not hasattr(socket, "AF_UNIX"):
        return None
    with _lock:
        if _server_failed:
            return None
        if _server is None or _server_pid != os.getpid() or _server.process.poll() is not None:
            try:
                _server, _server_pid = ForkServer(), os.getpid()
            except (OSError, RuntimeError) as exc:
                _server_failed = True
                warnings.warn(f"no fork server, fresh interpreters instead: {exc}", stacklevel=2)
                return None
            atexit.register(_server.stop)
        return _server


class ForkedPolmon:
    """A process the fork server started: the parts of `subprocess.Popen` the tests use."""

    def __init__(
        self, conn: socket.socket, pid: int, stdout: IO[Any] | None, stderr: IO[Any] | None
    ):
        self._conn = conn
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = None
        self.returncode: int | None = None
        self.args = ["python", "-m", "monitor"]

    def _read_exit(self, timeout: float | None) -> bool:
        if self.returncode is not None:
            return True
        readable, _, _ = select.select([self._conn], [], [], timeout)
        if not readable:
            return False
        message = self._conn.recv(MAX_MESSAGE)
        self._conn.close()
        self.returncode = int(json.loads(message)["exit"]) if message else -signal.SIGKILL
        return True

    def poll(self) -> int | None:
        self._read_exit(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._read_exit(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        results: dict[str, Any] = {}
        readers = [
            threading.Thread(target=lambda n=name, s=stream: results.__setitem__(n, s.read()))
            for name, stream in (("stdout", self.stdout), ("stderr", self.stderr))
            if stream is not None
        ]
        for reader in readers:
            reader.daemon = True
            reader.start()
        for reader in readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        for stream in (self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        return results.get("stdout"), results.get("stderr")

    def __enter__(self) -> ForkedPolmon:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        self.wait()


def _target(
    stream: Stream, text: bool, opened: list[int], writes: bool
) -> tuple[int, IO[Any] | None]:
    """The fd the child writes to (or reads from) and, for a pipe, our end of it."""
    if stream == subprocess.PIPE:
        if not writes:
            raise ValueError("start_polmon: no pipe to the child's stdin")
        read, write = os.pipe()
        opened.append(write)
        ours = os.fdopen(read, "r" if text else "rb", encoding="utf-8" if text else None)
        return write, ours
    if stream is None:  # the test process's own
        return -1, None
    if stream == subprocess.DEVNULL:
        fd = os.open(os.devnull, os.O_RDWR)
        opened.append(fd)
        return fd, None
    if isinstance(stream, int):
        return stream, None
    return stream.fileno(), None


def start_polmon(
    args: list[str],
    *,
    cwd: str | Path | None = None,
    env: dict[str, str] | None = None,
    stdin: Stream = subprocess.DEVNULL,
    stdout: Stream = None,
    stderr: Stream = None,
    text: bool = False,
    start_new_session: bool = False,
    fork: bool = True,
    netns: str | None = None,
) -> ForkedPolmon | subprocess.Popen[Any]:
    """`python -m monitor ARGS` with this checkout importable (PYTHONPATH), as a real process:
    forked by the fork server, or with `fork=False` (or none to be had) a fresh interpreter;
    in the network namespace `netns` when given (a fresh one through `ip netns exec`)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    server = fork_server() if fork else None
    if server is not None:
        opened: list[int] = []
        try:
            fds, ours = [], []
            for index, stream in enumerate((stdin, stdout, stderr)):
                if index == 2 and stream == subprocess.STDOUT:
                    fds.append(fds[1])
                    ours.append(None)
                    continue
                fd, mine = _target(stream, text, opened, writes=index > 0)
                fds.append(fd if fd >= 0 else index)
                ours.append(mine)
            started = server.start(
                list(args),
                None if cwd is None else str(cwd),
                full_env,
                fds,
                new_session=start_new_session,
                netns=netns,
            )
        finally:
            for fd in opened:
                os.close(fd)
        if started is not None:
            return ForkedPolmon(started[0], started[1], ours[1], ours[2])
        for mine in ours:
            if mine is not None:
                mine.close()
    prefix = ["ip", "netns", "exec", netns] if netns else []
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=full_env,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        text=text,
        start_new_session=start_new_session,
    )


PolmonProcess = ForkedPolmon | subprocess.Popen[Any]


def run_polmon(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    fork: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`start_polmon` to its end: its exit status and output, as `subprocess.run` gives them
    (`fork=False`: a fresh interpreter, for the smoke test)."""
    process = start_polmon(
        list(args),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        fork=fork,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode is not None
    return subprocess.CompletedProcess(list(args), process.returncode, stdout, stderr)
