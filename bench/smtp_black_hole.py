"""An SMTP server that accepts connections and never answers: the worst mail outage.

Usage: python bench/smtp_black_hole.py PORT. Listens on 127.0.0.1 only and stops
on SIGTERM. A web request that waited for mail would hang here; ours never do.
"""

import signal
import socket
import sys
import threading


def main(port: int) -> None:
    server = socket.create_server(("127.0.0.1", port))
    held = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def accept_forever():
        while True:
            conn, _addr = server.accept()
            held.append(conn)  # keep it open; say nothing

    threading.Thread(target=accept_forever, daemon=True).start()
    signal.pause()


if __name__ == "__main__":
    main(int(sys.argv[1]))
