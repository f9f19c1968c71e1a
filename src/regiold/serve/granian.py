"""granian (Rust HTTP, WSGI interface) as the server of `regiold serve` (setting ``server``).

Same model as under gunicorn: the master holds the loaded app, workers fork from it, SIGHUP runs
the reload hook in the master. Two private methods of granian are overridden (the dependency is
pinned to 2.8), so that a worker going away never takes requests with it: see ``_Granian``.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.server import Server

from regiold.serve.drain import stop_accepting, wait_drained
from regiold.serve.memory import start_trimming
from regiold.serve.reload import Reloader, master_ready, reload_in_master
from regiold.settings import Settings

RETIRE_SIGNAL = signal.SIGUSR1  # master → retiring worker: stop accepting, Connection: close
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
HEADER_READ_TIMEOUT_MS = 10_000  # a client trickling its headers is dropped after this
# A retiring worker gets this long to answer the connections it holds before SIGTERM: by then the
# header timeout has closed each one that sent no request; a request still running finishes.
DRAIN_TIMEOUT = HEADER_READ_TIMEOUT_MS / 1000 + 5
# After SIGTERM a worker has the setting graceful_timeout (seconds) to finish its requests; one
# still alive then is killed (SIGKILL): a client holding a request open (a body that never
# comes) or a hang in granian's own SIGTERM handler cannot keep an old worker for ever. So a
# retiring worker is gone at most DRAIN_TIMEOUT + graceful_timeout after a reload.

log = logging.getLogger("regiold.reload")


def run_granian(app: object, settings: Settings, *, host: str, port: int, workers: int,
                reloader: Reloader | None, watch: bool,
                worker_ready: Callable[[], object] | None = None) -> None:
    """Serve ``app`` until stopped; ``reloader``: reload on SIGHUP (and ``watch`` the files);
    ``worker_ready``: run in each worker before it serves."""
    server = _Granian("regiold", address=host, port=port, interface=Interfaces.WSGI,
                      workers=workers, blocking_threads=max(1, settings.threads), websockets=False,
                      log_access=settings.access_log, respawn_failed_workers=True,
                      workers_kill_timeout=settings.graceful_timeout,
                      http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS))
    server.send_timeout_ms = int(settings.send_timeout * 1000)
    if reloader is not None:
        server.on_startup(lambda: master_ready(reloader, watch=watch))
        server.on_reload(lambda: reload_in_master(reloader))
    master = os.getpid()

    def worker_app(*_: object) -> object:  # called in each worker's main thread, after the fork
        _stop_with_master(master)
        start_trimming()  # freed memory of the request threads goes back (memory.py)
        retiring = _Retiring(app, server._sfd)  # the shared socket's descriptor, inherited
        # before worker_ready: a reload may retire this worker while it warms up, and SIGUSR1's
        # default action would end it on the spot
        signal.signal(RETIRE_SIGNAL, retiring.retire)
        if worker_ready is not None:
            worker_ready()
        return retiring

    server.serve(target_loader=worker_app)  # workers fork from here and serve this app


class _Retiring:
    """Once the master says this worker retires (RETIRE_SIGNAL), it accepts no new connection
    (they stay queued for the fresh workers) and every answer carries ``Connection: close``:
    kept-alive clients reconnect, to a fresh worker, and the master waits until this worker
    holds no connection before it stops it (a request racing that stop would get no answer)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], listen_fd: int) -> None:
        self.app, self.listen_fd, self.retiring = app, listen_fd, False

    def retire(self, *_: object) -> None:
        if not self.retiring:
            stop_accepting(self.listen_fd)
            self.retiring = True

    def __call__(self, environ: dict, start_response: Callable[..., object]) -> Iterable[bytes]:
        if not self.retiring:
            return self.app(environ, start_response)

        def closing(status: str, headers: list[tuple[str, str]], *args: object) -> object:
            return start_response(status, [*headers, ("Connection", "close")], *args)

        return self.app(environ, closing)


def _stop_with_master(master: int) -> None:
    """In a worker: end when the master dies (granian's would serve on as orphans). SIGKILL, not
    SIGTERM: granian's SIGTERM handler can deadlock (main thread holding the GIL, waiting on the
    runtime, which waits for the GIL; seen once in ~30 test servers), and without a master no one
    would kill the stuck worker. The master's main thread forks every worker."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != master:  # the master died before the prctl
        os.kill(os.getpid(), signal.SIGKILL)


class _Granian(Server):  # type: ignore[misc]
    """granian with two changes that keep requests from failing when a worker goes (reload,
    crash). Both override private methods; the dependency is pinned to granian 2.8."""

    send_timeout_ms = 0  # set by run_granian (setting send_timeout)

    def _init_shared_socket(self) -> None:
        super()._init_shared_socket()
        if self._shd is None:  # Linux: a SO_REUSEPORT socket per worker, whose queue dies with it
            self._shd = self._ssp.build()  # one listening socket, held by the master, shared
            self._sfd, self._ssp = self._shd.get_fd(), None
            self._sso = socket.socket(fileno=self._sfd)
            self._sso.set_inheritable(True)
            # Accepted connections inherit it: one whose answer waits unread (a zero window) or
            # unacknowledged this long is reset by the kernel, and granian frees the answer it
            # held (a client that never reads kept it in memory for as long as it liked).
            if self.send_timeout_ms and hasattr(socket, "TCP_USER_TIMEOUT"):
                self._sso.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT,
                                     self.send_timeout_ms)

    def _reload(self, spawn_target: object, target_loader: object) -> None:
        """As gunicorn does: run the reload hook, fork every fresh worker, then retire the old
        ones (granian itself replaces one worker at a time, serving two versions for seconds).
        A retiring worker stops accepting at once and is stopped once it holds no connection:
        granian's SIGTERM would close one it had accepted but not read unanswered (drain.py)."""
        self.reload_signal = False
        self.main_loop_interrupt.clear()
        self._call_hooks(self.hooks_reload)
        retiring, self.wrks = self.wrks, []
        for idx in range(self.workers):
            worker = self._spawn_worker(idx=idx, target=spawn_target, callback_loader=target_loader)
            worker.start()
            self.wrks.append(worker)
        for worker in retiring:
            worker.interrupt_by_parent = True  # its exit from now on is no crash to respawn
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.inner.pid, RETIRE_SIGNAL)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        for worker in retiring:
            wait_drained(worker.inner.pid, self._sfd, self._sso, deadline - time.monotonic(),
                         lambda: self.interrupt_signal)  # SIGTERM/SIGINT: stop now
            worker.terminate()  # graceful: running requests finish
        self._kill_after(retiring, time.monotonic() + self.workers_kill_timeout)
        # A reload is not a crash: a worker dying soon after it is replaced, not taken for a
        # crash loop that stops the whole server.
        self.respawned_wrks.clear()

    @staticmethod
    def _kill_after(stopping: list, deadline: float) -> None:
        """Wait for ``stopping`` workers (sent SIGTERM) to end; SIGKILL those alive at
        ``deadline``, one deadline for all (granian's own loop gives each worker its full
        timeout in turn)."""
        for worker in stopping:
            worker.join(max(deadline - time.monotonic(), 0))
            if worker.is_alive():
                worker.kill()
                log.warning("worker %s still running its requests graceful_timeout after SIGTERM: "
                            "killed", worker.inner.pid)
                worker.join()
