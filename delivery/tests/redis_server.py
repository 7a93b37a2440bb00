"""Redis servers of the test's own, to break as an operator would see them break: killed,
restarted empty, restarted from an older snapshot, failed over to a replica that had not
caught up. And a TCP switch, standing where a failover moves an address."""

import contextlib
import select
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis

from delivery.tests.app_server import free_port, stop


def redis_server_binary():
    path = shutil.which("redis-server")
    if path is None:
        pytest.fail("redis-server is not installed (`make test` installs it).", pytrace=False)
    return path


class RedisServer:
    """A redis-server on a free port, its data (a snapshot, when asked for) in `directory`."""

    def __init__(self, directory):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=5)

    def start(self, *options):
        # No snapshot unless a test asks for one (SAVE): what is on disk is what it saved.
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--dbfilename", "dump.rdb", "--save", "",
             "--appendonly", "no", *options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on {self.port}", pytrace=False)
                time.sleep(0.05)

    def kill(self):
        """kill -9: no save on the way out."""
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            stop(self.process)


@contextlib.contextmanager
def redis_server(directory, *options):
    server = RedisServer(directory)
    server.start(*options)
    try:
        yield server
    finally:
        server.stop()


class TcpSwitch:
    """A TCP address that forwards to one backend port, moved to another by `switch()`,
    which also cuts every connection open through it: what clients see of a failover."""

    def __init__(self, backend_port):
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pairs = []
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                backend = socket.create_connection(("127.0.0.1", self.backend_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, backend))
            threading.Thread(target=self._pump, args=(client, backend), daemon=True).start()

    def _pump(self, client, backend):
        sockets = [client, backend]
        try:
            while self.running:
                readable, _, _ = select.select(sockets, [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (backend if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            for each in sockets:
                each.close()

    def switch(self, backend_port):
        with self.lock:
            self.backend_port = backend_port
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for each in pair:
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.running = False
        self.listener.close()
        self.switch(self.backend_port)
