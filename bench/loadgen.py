"""HTTP load generator for `bench/run.py`: a separate process that plays N concurrent clients against a
running server over loopback and reports latencies. Standard library only (asyncio streams, HTTP/1.1
keep-alive, one connection per client), so it costs the server's cores as little as possible.

Input: a JSON spec file (written by bench/run.py)::

    {"host": "127.0.0.1", "port": 8123,
     "scenarios": [{"name": "create", "concurrency": 32, "warmup": 20,
                    "requests": [{"method": "POST", "path": "/api/v1/complaints",
                                  "headers": {"Authorization": "Bearer …"}, "body": "{…}"}, …]}]}

Each scenario sends its requests in order, each client taking the next one (so a list of distinct bodies
gives distinct complaints); the first `warmup` requests are not counted. Output (stdout): JSON with, per
scenario, count, errors (status ≥ 400 or connection failures, with the first few bodies), wall seconds,
throughput and latency median/p95/p99/max in ms.

Usage: .venv/bin/python bench/loadgen.py SPEC.json
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(latencies: list[float], wall: float, errors: list[str]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        "errors": len(errors),
        "error_samples": errors[:3],
        "wall_s": round(wall, 3),
        "per_s": round(len(ordered) / wall, 1) if wall else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 2) if ordered else None,
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 2) if ordered else None,
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
    }


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, req: dict[str, Any]) -> tuple[int, bytes]:
        body = req.get("body", "").encode()
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive", **req.get("headers", {})}
        if body:
            headers.setdefault("Content-Type", "application/json")
        headers["Content-Length"] = str(len(body))
        head = f"{req['method']} {req['path']} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.writer is None:
                await self._connect()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(head.encode("latin-1") + b"\r\n" + body)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bytes]:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            parts = []
            while (size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)) != 0:
                parts.append(await self.reader.readexactly(size))
                await self.reader.readuntil(b"\r\n")
            await self.reader.readuntil(b"\r\n")
            data = b"".join(parts)
        else:
            data = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_scenario(host: str, port: int, sc: dict[str, Any]) -> dict[str, Any]:
    requests = sc["requests"]
    warmup = min(sc.get("warmup", 0), max(0, len(requests) - 1))
    latencies: list[float] = []
    errors: list[str] = []
    position = 0
    counted_from: float | None = None

    async def worker() -> None:
        nonlocal position, counted_from
        client = Client(host, port)
        try:
            while position < len(requests):
                i = position
                position += 1
                if i == warmup and counted_from is None:
                    counted_from = time.perf_counter()
                started = time.perf_counter()
                try:
                    status, data = await client.request(requests[i])
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                if status >= 400:
                    errors.append(f"{status} {requests[i]['path']}: {data[:300]!r}")
                elif i >= warmup:
                    latencies.append(elapsed)
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(max(1, sc.get("concurrency", 1)))))
    wall = time.perf_counter() - (counted_from or time.perf_counter())
    return {"name": sc["name"], "concurrency": sc.get("concurrency", 1), **summary(latencies, wall, errors)}


async def main(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [await run_scenario(spec["host"], spec["port"], sc) for sc in spec["scenarios"]]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    print(json.dumps(asyncio.run(main(spec)), ensure_ascii=False))
