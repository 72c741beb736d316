"""The load the HTTP benches put on the running app: `senders` threads, each on its own keep-alive connections,
posting its share of the requests one at a time and timing every answer. Given several ports (several servers
behind one load), a sender sends its requests to each in turn, as a load balancer without affinity would."""
from __future__ import annotations

import http.client
import statistics
import threading
import time
from datetime import datetime, timezone

from domain.messages import Incoming
from handlers import handle


def post_concurrently(port: int | list[int], requests: list[tuple[str, bytes, dict]], *, senders: int) -> dict:
    """`requests` are (path, body, headers), prepared before the clock starts. Returns per_s (answers a second),
    p50_ms, p99_ms, max_ms, and `started` (perf_counter) for timing what follows the answers."""
    ports = port if isinstance(port, list) else [port]
    answers: list[float] = []
    lock = threading.Lock()

    def sender(k: int) -> None:
        conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=30) for p in ports]
        for i, (path, body, headers) in enumerate(requests[k::senders]):
            conn = conns[(i + k) % len(conns)]
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - t0
            assert response.status == 200, response.status
            with lock:
                answers.append(took)
        for conn in conns:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    answers.sort()
    return {"per_s": len(answers) / elapsed, "p50_ms": statistics.median(answers) * 1000,
            "p99_ms": answers[int(len(answers) * 0.99) - 1] * 1000, "max_ms": answers[-1] * 1000,
            "started": started}


def handled_alone(deps, texts: tuple[str, ...], n: int, *, user: str, platform: str) -> float:
    """Answers a second when `handlers.handle` alone makes them, one after another in this process: the same texts
    from one person, each a platform event whose reply is an outbox row, no HTTP, no platform. With the GIL, one
    process cannot answer faster than this, whatever its front end does."""
    t0 = time.perf_counter()
    for i in range(n):
        handle(Incoming(user=user, text=texts[i % len(texts)], at=datetime.now(timezone.utc), platform=platform,
                        event_id=f"alone:{i}", reply_to={"to": user}), deps)
    return n / (time.perf_counter() - t0)


def against_handle_alone(platform: str, what: str, mine: float, bare: float, alone: float) -> None:
    """One process, one GIL: each answer costs the bare endpoint's time plus handle's alone, so at most
    1 / (1 / bare + 1 / alone) a second. Printed and reported beside `mine`, the measured rate."""
    from figures import emit  # bench/ is on the path of every bench that calls this
    bound = 1 / (1 / bare + 1 / alone)
    print(f"handlers.handle alone, the same texts one after another, no HTTP: {alone:.1f} answers/s "
          f"(0.8x bare is {0.8 * bare:.1f}/s); one process, one GIL: at most {bound:.1f} {what}/s, "
          f"oppbot reaches {mine / bound:.2f}x of that")
    emit(f"{platform}: {what}/s, against bare + handle alone", mine, "/s", floor=bound,
         floor_is="Slack / WeCom: one GIL's bound, 1 / (1 / bare's rate + 1 / handlers.handle alone's rate)")
