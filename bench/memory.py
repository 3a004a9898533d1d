"""Resident memory per idle websocket: one server process, N idle queue sockets (default
1,000, over 10 accounts); the server process' RSS before and after, and per socket. The
reference is the same server's RSS with no socket open.

    python bench/memory.py [--quick] [--sockets 1000]
"""

import argparse
import asyncio
import resource
import sys
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, prepare, table  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def server_pid(server: Server) -> int:
    with open(f"/proc/{server.process.pid}/task/{server.process.pid}/children") as listing:
        return int(listing.read().split()[0])  # one process: scripts/serve's only child


async def hold(server: Server, tokens: list[str], sockets: int) -> tuple[int, int]:
    pid = server_pid(server)
    before = rss_kib(pid)
    connections = []
    for i in range(sockets):
        ws = await websockets.connect(f"{server.ws_url}/ws/v1/queue/", additional_headers={
            "Authorization": f"Token {tokens[i % len(tokens)]}", "Origin": "http://127.0.0.1"})
        await ws.recv()  # hello: the socket is accepted and idle
        connections.append(ws)
    after = rss_kib(pid)
    for ws in connections:
        await ws.close()
    return before, after


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
    with Server(url, processes=1) as server:
        before, after = asyncio.run(hold(server, tokens, sockets))
    print(table(["sockets", "RSS idle server KiB", "RSS with sockets KiB", "KiB per socket"],
                [[sockets, before, after, f"{(after - before) / sockets:.1f}"]]))


if __name__ == "__main__":
    main()
