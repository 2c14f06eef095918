"""System calls per request, nginx beside alb, under the load benchmark's h1-ka: `strace -c -f` attached to each proxy
(nginx's worker, every alb thread) for SECONDS_TRACED s while wrk -c64 runs (CLOSE=1: h1-close), then calls ÷ requests served in that
window. strace slows each traced process several-fold, so the request rates here are not the benchmark's; the
per-request counts are what matter (fewer requests per epoll wakeup under strace may inflate epoll_wait for both).
Run through `benchmarks/run.sh syscalls` (root; strace).
"""
import os, re, subprocess, sys, threading, time
from pathlib import Path

os.environ.setdefault("TARGETS", "nginx,alb")
os.environ.setdefault("AUTH", "0")
os.environ.setdefault("ANNOTATED", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
import compare  # noqa: E402

SECONDS = int(os.environ.get("SECONDS_TRACED", "8"))
WARMUP = int(os.environ.get("WARMUP", "15"))
CLOSE = ["-H", "Connection: close"] if os.environ.get("CLOSE", "0") == "1" else []  # CLOSE=1: the h1-close cell


def trace(target):
    pid = compare.procs[target].pid
    pids = compare.tree(pid) if target != "nginx" else [p for p in compare.tree(pid) if p != pid]  # nginx: the worker
    url = f"http://127.0.0.1:{compare.PORTS[target][0]}/ok"
    compare.run_wrk(url, CLOSE, WARMUP)
    result = {}
    loader = threading.Thread(target=lambda: result.update(wrk=subprocess.run(
        ["taskset", "-c", compare.LOAD_CPU, "wrk", "-t1", "-c64", f"-d{SECONDS + 2}s", *CLOSE, url], capture_output=True, text=True).stdout))
    loader.start()
    time.sleep(1)
    before = served(target)
    args = ["timeout", "-s", "INT", str(SECONDS), "strace", "-c", "-f", "-q"] + [x for p in pids for x in ("-p", str(p))]
    out = subprocess.run(["taskset", "-c", compare.LOAD_CPU] + args, capture_output=True, text=True).stderr
    after = served(target)
    loader.join()
    requests = after - before
    calls = {}
    for line in out.splitlines():
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
        if m and m.group(2) != "total":
            calls[m.group(2)] = int(m.group(1))
    return requests, calls


def served(target):
    """Requests the origin has answered so far (its stub_status counter): the traced proxy's requests."""
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{compare.ORIGIN}/nginx_status", timeout=5).read().decode()
    return int(text.splitlines()[2].split()[2])


def main():
    compare.write_configs()
    conf = compare.work / "origin.conf"
    conf.write_text(conf.read_text().replace("location = /ok {", "location = /nginx_status { stub_status; }\n    location = /ok {", 1))
    compare.start_all()
    rows = {t: trace(t) for t in compare.TARGETS}
    names = sorted({n for _, calls in rows.values() for n in calls}, key=lambda n: -max(c.get(n, 0) / max(r, 1) for r, c in rows.values()))
    print("\n| system call | " + " | ".join(f"{t} per request" for t in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for n in names[:14]:
        print(f"| {n} | " + " | ".join(f"{c.get(n, 0) / max(r, 1):.2f}" for r, c in rows.values()) + " |")
    print("| **all** | " + " | ".join(f"**{sum(c.values()) / max(r, 1):.2f}**" for r, c in rows.values()) + " |")
    print("\n" + ", ".join(f"{t}: {r:,} requests traced" for t, (r, _) in rows.items()))


if __name__ == "__main__":
    try:
        main()
    finally:
        compare.stop_all()
