"""Resident memory per idle websocket: one server process, N idle queue sockets (default
1,000, over 10 accounts); the server process' RSS before and after, and per socket, and the
time to open a socket (handshake to its hello). The reference is the same measure against a
bare Channels consumer (bench/bare_asgi.py) served the same way in the same run.

    python bench/memory.py [--quick] [--sockets 1000]
"""

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, loadavg, prepare, table  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def server_pid(server: Server) -> int:
    with open(f"/proc/{server.process.pid}/task/{server.process.pid}/children") as listing:
        return int(listing.read().split()[0])  # one process: scripts/serve's only child


async def hold(server: Server, tokens: list[str], sockets: int, bare: bool) -> tuple[int, int, float]:
    pid = server_pid(server)
    before = rss_kib(pid)
    connections, opening = [], []
    for i in range(sockets):
        path = f"/ws/bare/{i % len(tokens)}/" if bare else "/ws/v1/queue/"
        start = time.perf_counter()
        ws = await websockets.connect(f"{server.ws_url}{path}", additional_headers={
            "Authorization": f"Token {tokens[i % len(tokens)]}"})  # no Origin: not a browser
        await ws.recv()  # hello: the socket is accepted and idle
        opening.append(time.perf_counter() - start)
        connections.append(ws)
    await asyncio.sleep(1)  # let the server settle before reading its memory
    after = rss_kib(pid)
    for ws in connections:
        await ws.close()
    return before, after, statistics.median(opening)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 sockets")
    parser.add_argument("--sockets", type=int, default=1000)
    args = parser.parse_args()
    sockets = 200 if args.quick else args.sockets
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    url, seeded = prepare("sqlite", "memory", sessions=10, handoffs=0, live=0, engineers=2, accounts=10)
    tokens = [account["tokens"][1] for account in seeded["accounts"]]
    rows = []
    for app in ("product", "bare"):
        load_avg = loadavg()
        with Server(url, processes=1, app="bench.bare_asgi:application" if app == "bare" else None) as server:
            before, after, opening = asyncio.run(hold(server, tokens, sockets, bare=app == "bare"))
        rows.append([app, sockets, before, after, f"{(after - before) / sockets:.1f}", f"{opening * 1000:.0f}",
                     load_avg])
    print(table(["app", "sockets", "RSS idle server KiB", "RSS with sockets KiB", "KiB per socket",
                 "open p50 ms", "load"], rows))


if __name__ == "__main__":
    main()
