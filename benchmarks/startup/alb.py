#!/usr/bin/env python3
"""Start-up and steady state of alb builds side by side: benchmarks/run.sh startup.

Each variant is a published alb (run.sh publishes them): `jit` (framework-dependent) and `r2r` (the same with
ReadyToRun code for alb's own assemblies and its packages). One cell starts a variant
pinned to one CPU on the load benchmark's 501-Ingress manifest table, times start to /readyz 200 and the CPU used
until then, reads the RSS 3 s later, loads it for WARM seconds with wrk -c64 (RSS then), and measures CPU per
request over MEASURE more seconds. Cells alternate the variants REPS times after one warm-up round; medians.
Env: REPS=5, WARM=20, MEASURE=8, VARIANTS=jit,r2r (directories under benchmarks/results/startup-build; a
self-contained or native AOT one runs its alb executable: AOT=1 benchmarks/run.sh startup adds the native AOT build
as `aot`, IMAGE=1 the container image's build, self-contained, trimmed and ReadyToRun, as `image`).
"""
import os, signal, statistics, subprocess, sys, time, urllib.request
from pathlib import Path

os.environ.setdefault("ANNOTATED", "0")
os.environ.setdefault("AUTH", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "load"))
import compare  # noqa: E402  (the load benchmark: its configs, CPUs, ports, wrk and /proc readers)

REPS = int(os.environ.get("REPS", "5"))
WARM = int(os.environ.get("WARM", "20"))
MEASURE = int(os.environ.get("MEASURE", "8"))
VARIANTS = os.environ.get("VARIANTS", "jit,r2r").split(",")
BUILDS = compare.ROOT / "benchmarks/results/startup-build"
HTTP, HTTPS, ADMIN = 19240, 19241, 19242


def ready(deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}/readyz", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.005)
    return False


def cell(variant):
    build = BUILDS / variant
    # a framework-dependent build runs through dotnet; a self-contained one (its own libcoreclr.so) or a native AOT
    # one (no alb.dll) is its own executable
    own = (build / "libcoreclr.so").exists() or not (build / "alb.dll").exists()
    exe = [str(build / "alb")] if own else ["dotnet", str(build / "alb.dll")]
    cmd = [*exe, "serve", "--manifests", str(compare.work / "manifests"),
           "--http", f"127.0.0.1:{HTTP}", "--https", f"127.0.0.1:{HTTPS}", "--admin", f"127.0.0.1:{ADMIN}",
           "--default-ssl-certificate", "bench/bench-tls", "--access-log", "off", "--log-level", "warning"]
    started = time.monotonic()
    p = compare.start(f"startup-{variant}", cmd, compare.PROXY_CPU, compare.DOTNET_ENV)
    try:
        if not ready(started + 60):
            raise SystemExit(f"{variant}: not ready within 60 s (log in {compare.work})")
        result = {"ready_ms": (time.monotonic() - started) * 1000, "cpu_to_ready_ms": compare.proc_cpu_seconds(p.pid) * 1000}
        time.sleep(3)
        result["idle_rss"] = compare.mem_kib(p.pid, "VmRSS") / 1024
        url, extra = f"http://127.0.0.1:{HTTP}/ok", []
        compare.run_wrk(url, extra, WARM)
        result["load_rss"] = compare.mem_kib(p.pid, "VmRSS") / 1024
        cpu0 = compare.proc_cpu_seconds(p.pid)
        rps, _, _, errors = compare.run_wrk(url, extra, MEASURE)
        if errors:
            raise SystemExit(f"{variant}: {errors} errors under load")
        result["us_per_request"] = (compare.proc_cpu_seconds(p.pid) - cpu0) * 1e6 / (rps * MEASURE)
        result["rps"] = rps
        return result
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        del compare.procs[f"startup-{variant}"]


def main():
    compare.write_configs()
    compare.start("origin", ["nginx", "-c", str(compare.work / "origin.conf")], compare.LOAD_CPU)
    compare.wait_port(compare.ORIGIN)
    for v in VARIANTS:
        cell(v)  # warm-up round: file caches, first JIT of the SDK's own tools
    results = {v: [] for v in VARIANTS}
    for rep in range(REPS):
        for v in VARIANTS:
            r = cell(v)
            results[v].append(r)
            print(f"rep {rep + 1} {v:4} ready {r['ready_ms']:6.0f} ms (CPU {r['cpu_to_ready_ms']:5.0f} ms), idle RSS {r['idle_rss']:5.1f} MiB, "
                  f"RSS under load {r['load_rss']:5.1f} MiB, {r['rps']:8.0f} req/s, {r['us_per_request']:5.1f} µs CPU/request", flush=True)
    rows = [("start to ready (ms)", "ready_ms", "{:.0f}"), ("CPU until ready (ms)", "cpu_to_ready_ms", "{:.0f}"),
            ("idle RSS (MiB)", "idle_rss", "{:.1f}"), (f"RSS after {WARM} s of load (MiB)", "load_rss", "{:.1f}"),
            ("CPU per request (µs)", "us_per_request", "{:.1f}")]
    print(f"\nmedians of {REPS} (min-max)\n\n| | " + " | ".join(VARIANTS) + " |\n|---|" + "---:|" * len(VARIANTS))
    for label, key, fmt in rows:
        cells = []
        for v in VARIANTS:
            xs = [r[key] for r in results[v]]
            cells.append(f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\ntargets (issue 15): start to ready <= 300 ms; idle RSS <= 40 MiB; CPU per request not worse than jit")


if __name__ == "__main__":
    try:
        main()
    finally:
        compare.stop_all()
