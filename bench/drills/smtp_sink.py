"""A loopback SMTP server for the drills.

``--mode up`` accepts every message and appends one JSON line per delivery
(Message-ID, envelope recipients, header names) to ``--out``.
``--mode blackhole`` accepts TCP connections and never says a word, like a
mail server that hangs.
"""

import argparse
import asyncio
import email
import json
import signal
import time
from email import policy


class Recorder:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        record = {
            "t": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt": list(envelope.rcpt_tos),
            "size": len(envelope.content),
        }
        try:
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            record |= {
                "message_id": str(message["Message-ID"] or ""),
                "subject": str(message["Subject"] or ""),
                "to": [str(v) for v in message.get_all("To", [])],
                "cc": [str(v) for v in message.get_all("Cc", [])],
                "bcc": [str(v) for v in message.get_all("Bcc", [])],
                "headers": list(message.keys()),
            }
        except Exception as exc:  # noqa: BLE001 - a drill records, never crashes
            record["parse_error"] = type(exc).__name__
        self.out.write(json.dumps(record) + "\n")
        return "250 OK"


async def blackhole(port):
    held = []

    async def hold(reader, writer):
        held.append(writer)
        await reader.read()  # silent until the client gives up

    server = await asyncio.start_server(hold, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


def serve(port, out):
    from aiosmtpd.controller import Controller

    controller = Controller(Recorder(out), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
    try:
        while not stopped:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["up", "blackhole"], default="up")
    parser.add_argument("--out", default="/dev/null")
    args = parser.parse_args()
    if args.mode == "blackhole":
        asyncio.run(blackhole(args.port))
    else:
        serve(args.port, args.out)


if __name__ == "__main__":
    main()
