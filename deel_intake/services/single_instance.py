"""One running copy per data folder: a second launch brings the first window forward.

A local socket (a named pipe on Windows) named after the data folder: the first copy
listens; a later copy connects, asks it to show itself, and exits.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance", "instance_name"]

log = logging.getLogger(__name__)

_SHOW = b"show\n"


def instance_name(data_dir: Path) -> str:
    path = str(data_dir.resolve()).encode()
    return f"deel-intake-{zlib.crc32(path):08x}{zlib.adler32(path):08x}"


class SingleInstance(QObject):
    activation_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = instance_name(data_dir)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """``True`` when this is the first copy (it now listens); ``False`` when another copy
        answered and was asked to come forward."""
        socket = QLocalSocket(self)
        socket.connectToServer(self.name)
        if socket.waitForConnected(500):
            socket.write(_SHOW)
            socket.flush()
            socket.waitForBytesWritten(500)
            socket.disconnectFromServer()
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A socket file left by a crashed copy: nobody answered it, so it is stale.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("Single-instance socket unavailable: %s", server.errorString())
                return True
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.newConnection.disconnect(self._on_server_new_connection)
            server.close()
            server.deleteLater()

    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_socket_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_SHOW.strip()):
            self.activation_requested.emit()
