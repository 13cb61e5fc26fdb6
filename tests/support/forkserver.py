"""A fork server for `python -m monitor` test processes: imports polmon once, forks each one.

A real `python -m monitor …` spends about a second of CPU importing SQLAlchemy, Alembic, httpx,
pydantic and polmon before it does anything, and the process tests start about ninety of them.
This server (one per test process, started on first use) imports those once and forks a child
per request: a real process with its own pid, signals, exit status, working directory,
environment and standard streams (handed over as file descriptors), running the same
`monitor/__main__.py`. `start_polmon` (tests/support/processes.py) falls back to a plain
`subprocess.Popen` wherever the server cannot be used.

The server forks only while it has one thread (checked in /proc before each fork), and it
imports nothing that starts threads (no NumPy, CTranslate2 or torch: a child imports those
itself when its command needs them).
"""

from __future__ import annotations

import array
import contextlib
import gc
import io
import json
import os
import random
import runpy
import select
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

# What a polmon process imports before its command runs (its CLI, the pipeline, storage).
PRELOAD = ("monitor.cli", "monitor.pipeline", "storage.migrations", "alembic.command")
MAX_MESSAGE = 1 << 20
MAIN = str(Path(__file__).resolve().parents[2] / "monitor" / "__main__.py")


def single_threaded() -> bool:
    try:
        return sum(1 for _ in Path("/proc/self/task").iterdir()) == 1
    except OSError:
        return False


def receive(conn: socket.socket) -> tuple[dict[str, object], list[int]]:
    fds = array.array("i")
    message, ancillary, _flags, _address = conn.recvmsg(
        MAX_MESSAGE, socket.CMSG_SPACE(3 * fds.itemsize)
    )
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return json.loads(message), list(fds)


def enter_network_namespace(name: str) -> None:
    """Join the network namespace `ip netns add NAME` made, as `ip netns exec NAME` does for
    the network (setns(2) with CLONE_NEWNET; Python 3.11 has no os.setns)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns into {name}: {os.strerror(errno)}")
    finally:
        os.close(fd)


def _streams(environ: dict[str, str]) -> None:
    """New sys.stdin/stdout/stderr over fds 0-2, buffered as a fresh interpreter would."""
    unbuffered = bool(environ.get("PYTHONUNBUFFERED"))
    encoding = environ.get("PYTHONIOENCODING", "utf-8").split(":")[0] or "utf-8"
    for name, fd, mode in (("stdin", 0, "rb"), ("stdout", 1, "wb"), ("stderr", 2, "wb")):
        raw = open(fd, mode, buffering=-1 if mode == "rb" else 0, closefd=False)  # noqa: SIM115
        tty = os.isatty(fd)
        if mode == "wb":
            raw = io.BufferedWriter(raw)  # type: ignore[arg-type]
        stream = io.TextIOWrapper(
            raw,  # type: ignore[arg-type]
            encoding=encoding,
            errors="backslashreplace" if name == "stderr" else "strict",
            line_buffering=tty or name == "stderr",
            write_through=unbuffered or name == "stderr",
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run_child(request: dict[str, object], fds: list[int], closing: list[int]) -> None:
    """In the forked child: become the requested `python -m monitor ARGS` and exit."""
    code = 1
    try:
        for fd in closing:
            os.close(fd)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds):
            if fd > 2:
                os.close(fd)
        environ = {str(k): str(v) for k, v in dict(request["env"]).items()}  # type: ignore[call-overload]
        _streams(environ)
        try:  # from here on a failure is told on the process's own stderr
            _become(request, environ)
        except BaseException:
            traceback.print_exc()
            _finish()
            raise
        sys.argv = [MAIN, *[str(a) for a in request["args"]]]  # type: ignore[attr-defined]
        code = _main()
    finally:
        os._exit(code)


def _become(request: dict[str, object], environ: dict[str, str]) -> None:
    """The requested process's signals, session, network, environment and directory."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if request.get("new_session"):
        os.setsid()
    if request.get("netns"):
        enter_network_namespace(str(request["netns"]))
    os.environ.clear()
    os.environ.update(environ)
    time.tzset()
    if request.get("cwd"):
        os.chdir(str(request["cwd"]))
    random.seed()


def _main() -> int:
    code = 0
    try:
        runpy.run_module("monitor", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        _finish()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # die of SIGINT, as CPython does
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
        code = 1
    _finish()
    return code


def _finish() -> None:
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def serve(path: str) -> None:
    """Listen on the Unix socket `path` until stdin closes (the test process is gone)."""
    for name in PRELOAD:
        __import__(name)
    gc.freeze()  # the children's collections skip what is imported here (and share its pages)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    waiting: dict[int, socket.socket] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    stdin = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([listener, wake_read, stdin], [], [], 1.0)
        if stdin in readable and not os.read(stdin, 1024):
            return
        if wake_read in readable:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_read, 4096)
        if listener in readable:
            own = [listener.fileno(), wake_read, wake_write, stdin]
            _fork_one(listener, waiting, own + [c.fileno() for c in waiting.values()])
        _reap(waiting)


def _fork_one(listener: socket.socket, waiting: dict[int, socket.socket], own: list[int]) -> None:
    conn, _ = listener.accept()
    request, fds = receive(conn)
    if len(fds) != 3 or not single_threaded():
        conn.send(json.dumps({"refused": "no fork: threads or descriptors"}).encode())
        conn.close()
        for fd in fds:
            os.close(fd)
        return
    pid = os.fork()
    if pid == 0:
        _run_child(request, fds, [*own, conn.fileno()])
    for fd in fds:
        os.close(fd)
    conn.send(json.dumps({"pid": pid}).encode())
    waiting[pid] = conn


def _reap(waiting: dict[int, socket.socket]) -> None:
    while waiting:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = waiting.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
