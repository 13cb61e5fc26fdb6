"""Network namespaces as "machines" for tests: each reaches the host only over a bridge, where a
TCP relay stands in for a PostgreSQL server on the network (ours listens on 127.0.0.1 only)."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can (root and `ip` present)."""
    if os.geteuid() != 0:
        return "not root (ip netns needs root)"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    return None


@dataclass(frozen=True)
class Namespaces:
    """Namespaces on one bridge: the host is `host` on it, namespace i is `addresses[i]`."""

    host: str
    names: tuple[str, ...]
    addresses: tuple[str, ...]


def _ip_batch(commands: list[str], *, force: bool = False, netns: str | None = None) -> None:
    """Run `ip` commands in one process (inside `netns` if given); without `force` the first
    failure raises."""
    flags = (["-force"] if force else []) + (["-n", netns] if netns else [])
    result = subprocess.run(
        ["ip", *flags, "-batch", "-"],
        input="\n".join(commands) + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0 and not force:
        raise RuntimeError(f"ip -batch failed ({result.returncode}): {result.stderr.strip()}")


def _free_subnet(seed: int) -> ipaddress.IPv4Network:
    """A 10.231.N.0/24 that no route or address of the host overlaps."""
    routes = subprocess.run(
        ["ip", "-4", "-o", "route", "show", "table", "all"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    used = [ipaddress.IPv4Network(net, strict=False) for net in _IPV4.findall(routes)]
    for step in range(256):
        subnet = ipaddress.IPv4Network(f"10.231.{(seed + step) % 256}.0/24")
        if not any(subnet.overlaps(net) for net in used):
            return subnet
    raise RuntimeError("no free 10.231.N.0/24 for the test bridge")


_IPV4 = re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/\d{1,2})?\b")


@contextmanager
def namespaces(count: int) -> Iterator[Namespaces]:
    """`count` namespaces named by this process's pid, each with a veth on a new bridge;
    all of it is removed afterwards (also when setting up fails half way)."""
    pid = os.getpid()
    bridge = f"pmb{pid}"
    names = tuple(f"polmon-{pid}-{n}" for n in range(count))
    cleanup = [*(f"netns delete {name}" for name in names), f"link delete {bridge}"]
    _ip_batch(cleanup, force=True)  # what a killed earlier process with this pid left
    subnet = _free_subnet(pid)
    hosts = list(subnet.hosts())
    host = str(hosts[0])
    addresses = tuple(str(hosts[n + 1]) for n in range(count))
    setup = [
        f"link add {bridge} type bridge",
        f"addr add {host}/24 dev {bridge}",
        f"link set {bridge} up",
    ]
    inside: dict[str, list[str]] = {}
    for n, (name, address) in enumerate(zip(names, addresses, strict=True)):
        outer, inner = f"pmv{pid}h{n}", f"pmv{pid}n{n}"
        setup += [
            f"netns add {name}",
            f"link add {outer} type veth peer name {inner}",
            f"link set {outer} master {bridge}",
            f"link set {outer} up",
            f"link set {inner} netns {name}",
        ]
        inside[name] = [
            f"addr add {address}/24 dev {inner}",
            f"link set {inner} up",
            "link set lo up",
        ]
    try:
        _ip_batch(setup)
        for name, commands in inside.items():
            _ip_batch(commands, netns=name)
        yield Namespaces(host, names, addresses)
    finally:
        # deleting a namespace deletes the veth inside it, and with it the end on the bridge
        _ip_batch(cleanup, force=True)


class TcpRelay:
    """Forwards every TCP connection made to (`host`, port) to `target`, byte for byte."""

    def __init__(self, host: str, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server((host, 0))
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TcpRelay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (close alone does not)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self._thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed by __exit__
                return
            try:
                server = socket.create_connection(self.target, timeout=30)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy `source` to `sink` until either end closes; then close the other direction too."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (sink, source):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
