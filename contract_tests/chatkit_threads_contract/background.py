"""The client suite in a forked process, run while the server suite runs in this one.

The two suites share nothing: the client suite answers the client from memory, the
server suite talks to a server. Run one after the other they cost their sum; the client
suite is nearly all Hypothesis generating response bodies, CPU work that the server
suite's process (its engine and, by default, the bundled mock share one interpreter
lock) cannot overlap. Forked, it runs on another core and hands back its report.

Forking is used only where it is safe and cheap: the platform forks (not Windows) and
this process runs no other thread yet (a fork copies locks held by other threads).
Otherwise, or if the child dies without a report, the suite runs here when its result
is asked for, exactly as it would have without this module. An exception inside the
suite is not carried over: the suite is then run again here, so it raises here.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .client import ClientContractOptions, run_client_contract
from .report import ContractReport

__all__ = ["ClientRun"]


def _child(options: ClientContractOptions, connection: Connection) -> None:
    try:
        report = run_client_contract(options)
    except BaseException:
        # The parent finds no report and runs the suite itself, so the error shows there.
        connection.close()
        return
    try:
        connection.send(report)
    except OSError:
        pass  # the parent gave up waiting (see `ClientRun.cancel`)
    finally:
        connection.close()


class ClientRun:
    """The client suite, started in a forked process when that is possible."""

    def __init__(self, options: ClientContractOptions) -> None:
        self.options = options
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        if threading.active_count() != 1:
            return
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(options, sending), daemon=True)
        try:
            process.start()
        except OSError:
            receiving.close()
            sending.close()
            return
        sending.close()
        self._process, self._connection = process, receiving

    @property
    def forked(self) -> bool:
        """Whether the suite is running in a child process."""
        return self._process is not None

    def cancel(self) -> None:
        """Stop the child without waiting for its report (the run is being abandoned)."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is not None and connection is not None:
            connection.close()
            process.terminate()
            process.join()

    def result(self) -> ContractReport:
        """The suite's report: the child's, else from running the suite here."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is not None and connection is not None:
            try:
                report = connection.recv()
            except (EOFError, OSError):
                report = None
            finally:
                connection.close()
                process.join()
            if isinstance(report, ContractReport):
                return report
        return run_client_contract(self.options)
