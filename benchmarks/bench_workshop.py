"""A room of N simulated participants on one dashboard server: speed, click-to-update, page load and memory.

Method. The benchmark starts ``tenant-trust dashboard`` as its own process and
connects N simulated participants to it. A simulated participant is not a
browser: it is a websocket client (asyncio, in this process) that speaks the
protocol Solara's page speaks (the Jupyter kernel messages: it opens the
``solara.control`` comm, asks it to run the app, keeps every widget's state
from ``comm_open`` and ``update`` messages, and clicks a button by sending it
the ``click`` event, as the page's JavaScript does). So the server does all
the work it does for a real room (building each session's model, rendering
its page, stepping, sending every update), while the clients cost a few
percent of one core, not a browser each; their own processor time is printed
so it can be checked.

Each participant, all at once: opens the page (page load = from the HTTP
request to the app's first render received; the page's scripts and styles,
which a browser fetches once and then keeps, are not fetched, so this is the
server's part of a page load), then, for the run's length, repeats: Play for
``--play`` seconds (weeks a second = weeks gained over that time), Pause, and
three Step clicks (click to update = from sending the click to receiving the
new week; the Play clicks count too, to their first new week). One
participant alone is measured first, in the same run, as the reference, and
each room's weeks a second is printed as a ratio to it. Server memory
(resident set) is read before the room opens, at its peak while the room is
open, and after the room has closed its pages (as a browser does when a tab
closes) and the server has released their sessions.

Targets from the issue (N = 20): p95 click-to-update under 1 s, 2 or more
weeks a second each, page load under 5 s. Timings are for reading, not for
tests: the machine is shared.

Usage: python benchmarks/bench_workshop.py [--rooms 5 10 20] [--seconds 40] [--play 8] [--speed WORDS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psutil
import websockets
from solara.server.kernel import deserialize_binary_message

from dashboard.components import DEFAULT_SPEED, SPEEDS

CODE = "BENCH9"


def _message(page: str, kind: str, content: dict) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "",
        "session": page,
        "msg_type": kind,
        "version": "5.3",
        "date": datetime.now(UTC).isoformat(),
    }
    return json.dumps(
        {"header": header, "parent_header": {}, "metadata": {}, "content": content, "buffers": [], "channel": "shell"}
    )


@dataclass
class Participant:
    """One simulated browser: its widgets, the week it shows, and what it measured."""

    url: str
    widgets: dict[str, dict] = field(default_factory=dict)
    week: int = -1
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    load: float = float("nan")
    clicks: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    kernel: str = field(default_factory=lambda: str(uuid.uuid4()))
    page: str = field(default_factory=lambda: str(uuid.uuid4()))

    def _take(self, raw: str | bytes) -> bool:
        message = json.loads(raw) if isinstance(raw, str) else deserialize_binary_message(raw)
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "comm_open":
            self.widgets[content["comm_id"]] = dict(content["data"].get("state", {}))
        elif kind == "comm_close":
            self.widgets.pop(content["comm_id"], None)
        elif kind == "comm_msg":
            data = content["data"]
            if data.get("method") == "finished":
                return True
            if data.get("method") == "update":
                self.widgets.setdefault(content["comm_id"], {}).update(data.get("state", {}))
        self._read_week()
        return False

    def _read_week(self) -> None:
        for state in self.widgets.values():
            children = state.get("children")
            if "tt-week" in str(state.get("class_", "")) and children and str(children[0]).startswith("Week "):
                week = int(str(children[0]).split()[1])
                if week != self.week:
                    self.week = week
                    self.changed.set()
                return

    def button(self, label: str) -> str | None:
        return next(
            (
                c
                for c, s in self.widgets.items()
                if s.get("_model_name") == "BtnModel" and label in s.get("children", [])
            ),
            None,
        )

    async def click(self, ws, label: str) -> bool:
        comm = self.button(label)
        if comm is None:
            return False
        content = {"comm_id": comm, "data": {"method": "custom", "content": {"event": "click", "data": {}}}}
        await ws.send(_message(self.page, "comm_msg", content))
        return True

    async def choose_speed(self, ws, speed: str) -> None:
        comm = next(
            c for c, s in self.widgets.items() if s.get("_model_name") == "SelectModel" and s.get("label") == "Speed"
        )
        content = {"comm_id": comm, "data": {"method": "update", "state": {"v_model": speed}, "buffer_paths": []}}
        await ws.send(_message(self.page, "comm_msg", content))

    async def week_after(self, week: int, timeout: float = 60.0) -> float:
        start = time.perf_counter()
        while self.week <= week:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout - (time.perf_counter() - start))
        return time.perf_counter() - start

    async def run(self, seconds: float, play: float, speed: str) -> None:
        start = time.perf_counter()
        with urllib.request.urlopen(self.url) as answer:
            cookie = answer.headers.get("Set-Cookie", "").split(";")[0]
            answer.read()
        address = (
            self.url.replace("http", "ws", 1) + f"jupyter/api/kernels/{self.kernel}/channels?session_id={self.page}"
        )
        async with websockets.connect(address, additional_headers={"Cookie": cookie}, max_size=None) as ws:
            control = uuid.uuid4().hex
            await ws.send(
                _message(self.page, "comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}})
            )
            run = {"method": "run", "args": {"path": "", "appName": "__default__"}}
            await ws.send(_message(self.page, "comm_msg", {"comm_id": control, "data": run}))
            while not self._take(await ws.recv()):
                pass
            self.load = time.perf_counter() - start
            reader = asyncio.create_task(self._read(ws))
            await self.choose_speed(ws, speed)
            try:
                await self._workload(ws, seconds, play)
            finally:
                reader.cancel()
        close = f"{self.url}_solara/api/close/{self.kernel}?session_id={self.page}"
        await asyncio.to_thread(urllib.request.urlopen, urllib.request.Request(close, method="POST"))

    async def _read(self, ws) -> None:
        async for raw in ws:
            self._take(raw)

    async def _workload(self, ws, seconds: float, play: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            before, sent = self.week, time.perf_counter()
            if not await self.click(ws, "Play"):
                break
            self.clicks.append(await self.week_after(before))
            await asyncio.sleep(max(0.0, play - (time.perf_counter() - sent)))
            self.rates.append((self.week - before) / (time.perf_counter() - sent))
            await self.click(ws, "Pause")
            await asyncio.sleep(1.0)  # the last redraw of the play arrives
            for _ in range(3):
                week = self.week
                await self.click(ws, "Step")
                self.clicks.append(await self.week_after(week))
                await asyncio.sleep(0.3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, keep: str) -> subprocess.Popen:
    env = dict(os.environ, SOLARA_KERNEL_CULL_TIMEOUT=keep)
    command = [sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port), "--room-code", CODE]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("the dashboard did not start within 120 s")


def _mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


def _sessions(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/resourcez?code={CODE}") as answer:
        return json.load(answer)["kernels"]["total"]


async def _room(url: str, n: int, seconds: float, play: float, speed: str) -> list[Participant]:
    people = [Participant(url) for _ in range(n)]
    await asyncio.gather(*(p.run(seconds, play, speed) for p in people))
    return people


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def measure(port: int, server: psutil.Process, n: int, seconds: float, play: float, release: float, speed: str) -> dict:
    """One room of ``n``: the figures of :func:`main`'s table."""
    before = _mb(server)
    cpu0, wall0, own0 = server.cpu_times(), time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    peak = [before]

    async def watched() -> list[Participant]:
        task = asyncio.create_task(_room(f"http://127.0.0.1:{port}/", n, seconds, play, speed))
        while not task.done():
            peak[0] = max(peak[0], _mb(server))
            await asyncio.sleep(1.0)
        return task.result()

    people = asyncio.run(watched())
    wall = time.perf_counter() - wall0
    cpu1, own1 = server.cpu_times(), resource.getrusage(resource.RUSAGE_SELF)
    deadline = time.monotonic() + release
    while _sessions(port) and time.monotonic() < deadline:
        time.sleep(2.0)
    clicks = [c for p in people for c in p.clicks]
    rates = [statistics.mean(p.rates) for p in people if p.rates]
    loads = [p.load for p in people]
    return {
        "n": n,
        "rate_median": statistics.median(rates),
        "rate_min": min(rates),
        "click_median": statistics.median(clicks),
        "click_p95": _p95(clicks),
        "load_median": statistics.median(loads),
        "load_max": max(loads),
        "mem_before": before,
        "mem_peak": peak[0],
        "mem_after": _mb(server),
        "left": _sessions(port),
        "server_cpu": (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall,
        "client_cpu": (own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, nargs="+", default=[5, 10, 20], help="room sizes (default 5 10 20)")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of each room's run (default 40)")
    parser.add_argument("--play", type=float, default=8.0, help="seconds of each Play (default 8)")
    parser.add_argument("--release", type=float, default=90.0, help="longest wait for sessions to be released")
    parser.add_argument(
        "--speed", choices=list(SPEEDS), default=DEFAULT_SPEED, help=f"play speed (default {DEFAULT_SPEED!r})"
    )
    args = parser.parse_args()
    port = _free_port()
    server = _start_server(port, keep="30s")
    try:
        process = psutil.Process(server.pid)
        rows = [measure(port, process, n, args.seconds, args.play, args.release, args.speed) for n in [1, *args.rooms]]
    finally:
        server.terminate()
        server.wait(timeout=30)
    reference = rows[0]
    print(
        f"{'N':>3} {'weeks/s each':>14} {'x ref':>6} {'click median':>13} {'p95':>6} {'page load':>15} "
        f"{'server MB before/peak/after':>28} {'left':>5} {'server CPU':>10} {'clients CPU':>11}"
    )
    for row in rows:
        ratio = row["rate_median"] / reference["rate_median"]
        print(
            f"{row['n']:>3} {row['rate_median']:>7.2f} (min {row['rate_min']:.1f}) {ratio:>5.2f}"
            f" {row['click_median']:>12.2f}s {row['click_p95']:>5.2f}s"
            f" {row['load_median']:>6.2f}s (max {row['load_max']:.1f})"
            f" {row['mem_before']:>10.0f} / {row['mem_peak']:.0f} / {row['mem_after']:.0f}"
            f" {row['left']:>5} {row['server_cpu']:>9.0%} {row['client_cpu']:>10.0%}"
        )
    print(
        f"Speed {args.speed!r}. N = 1 is the reference; 'left' = sessions still held after the room closed its pages."
    )


if __name__ == "__main__":
    main()
