"""Where alb's CPU goes per request: a perf CPU profile of alb under the load benchmark's h1-ka cell (TLS=1: https-ka).

Run through `benchmarks/run.sh profile` (root; needs perf). alb runs as the load benchmark starts it (pinned to CPU1,
the 501-Ingress table, plus the annotated table unless ANNOTATED=0, metrics on, access log off) with perf maps on and
W^X off, so JIT code is named (without DOTNET_EnableWriteXorExecute=0 it shows as memfd:doublemapper); wrk and the
origin run on CPU0. After WARMUP s of load, `perf record -e cpu-clock -F 999 -g` samples alb for SECONDS s (perf has
no hardware counters here). The report splits alb's samples by where they ran (kernel by subsystem, JIT code by
namespace, the runtime, native libraries) and gives each part in % and in µs per request, from the CPU time alb used
in the sampled window (/proc) and the requests served.
"""
import collections, os, re, subprocess, sys, threading, time
from pathlib import Path

os.environ.setdefault("TARGETS", "alb")
os.environ.setdefault("AUTH", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
import compare  # noqa: E402  (the load benchmark: its configs, its start-up, its ports)

SECONDS = int(os.environ.get("SECONDS_PROFILED", "10"))
WARMUP = int(os.environ.get("WARMUP", "15"))
FREQ = int(os.environ.get("FREQ", "999"))
HOST = os.environ.get("HOST_HEADER", "")
TLS = os.environ.get("TLS", "0") == "1"  # TLS=1: wrk over HTTPS to alb's TLS port (the https-ka cell) instead of plain HTTP
CLOSE = os.environ.get("CLOSE", "0") == "1"  # CLOSE=1: a new connection per request (the h1-close cell)
ALB_ENV = dict(kv.split("=", 1) for kv in os.environ.get("ALB_ENV", "").split("+") if kv)  # e.g. ALB_ENV=ALB_FAST_H1=1
# ANN=1: the load benchmark's annotated request (h1-ka-ann: its host, regex path and Origin) instead of the plain one.
ANN = os.environ.get("ANN", "0") == "1"
# The profiled target: "alb" (the JIT build) or "alb-bin" (the executable ALB_BIN names, e.g. the native AOT build,
# whose functions perf names from the executable's own symbols).
TARGET = os.environ["TARGETS"].split(",")[0]

# JIT frames are "[.] <signature> [assembly] Namespace.Type::Method(...)"; the part is the assembly's first names.
# Kernel frames by function name; JIT frames by the assembly that defines the method (the "[assembly]" just before
# Namespace.Type::Method, not the ones in its signature); native frames by library.
KERNEL = [
    ("kernel: TCP/IP and sockets", r"^(tcp_|__tcp|ip_|__ip|inet_|__inet|sock_|__sock|sk_|skb_|__skb|__dev|dev_|net_|__netif|netif_|process_backlog|loopback|__napi|napi_|raw_|bbr_|__sys_|__x64_sys_(sendto|recvfrom|read|write|writev|readv))"),
    ("kernel: scheduler and wakeups", r"^(finish_task_switch|__schedule|schedule|try_to_wake_up|_raw_spin_unlock_irqrestore|ttwu|enqueue_|dequeue_|pick_next|update_curr|psi_|select_task_rq|__wake_up|wake_up)"),
    ("kernel: epoll", r"^(ep_|do_epoll|__x64_sys_epoll)"),
    ("kernel: futex", r"^(futex|__futex|do_futex)"),
    ("kernel: other", r"."),
]
ASSEMBLIES = [
    ("Kestrel", r"^Microsoft\.AspNetCore\.Server\.Kestrel"),
    ("ASP.NET Core (hosting, HTTP abstractions)", r"^Microsoft\.(AspNetCore|Extensions)"),
    ("YARP", r"^Yarp\."),
    ("SocketsHttpHandler (System.Net.Http)", r"^System\.Net\.Http$"),
    ("sockets (System.Net.Sockets)", r"^System\.Net\.Sockets$"),
    ("alb", r"^(alb|Alb\.Core)$"),
    ("metrics (prometheus-net)", r"^Prometheus"),
    ("TLS (System.Net.Security)", r"^System\.Net\.Security$|Cryptography"),
    ("CoreLib (threads, tasks, collections, strings)", r"^System\.(Private\.CoreLib|Collections|Linq|Runtime|Text|Memory|Threading)"),
    ("other managed code", r"."),
]
NATIVE = [
    ("runtime: GC, JIT, stubs, type system", r"libcoreclr|libclrjit|\bstub\b"),
    ("sockets (System.Net.Sockets)", r"libSystem\.Native"),
    ("TLS (OpenSSL)", r"libssl|libcrypto"),
    ("libc and other native", r"\.so|\[vdso\]"),
    ("unresolved", r"."),
]


def part_of(symbol):
    """The part a perf "dso symbol" line belongs to."""
    if "[k] " in symbol:
        name = symbol.split("[k] ", 1)[1]
        return next(part for part, pattern in KERNEL if re.search(pattern, name))
    if "::" in symbol:
        declaring = re.findall(r"\[([\w.]+)\] [A-Za-z_<]", symbol[:symbol.index("::")])
        if declaring:
            return next(part for part, pattern in ASSEMBLIES if re.search(pattern, declaring[-1]))
    return next(part for part, pattern in NATIVE if re.search(pattern, symbol))


def short(symbol):
    """Type::Method of a JIT frame, the function name of a native one."""
    m = re.search(r"([\w.`+<>|]+(?:\[[^\]]*\])?::[\w.`<>|]+)\(", symbol)
    if m:
        return ".".join(re.sub(r"\[[^\]]*\]", "", m.group(1)).split(".")[-2:])
    return symbol.rsplit("] ", 1)[-1].strip()


def profile():
    compare.DOTNET_ENV.update({"DOTNET_PerfMapEnabled": "1", "DOTNET_EnableWriteXorExecute": "0", **ALB_ENV})
    compare.write_configs()
    compare.start_all()
    alb = compare.procs[TARGET]
    port = compare.PORTS[TARGET][1 if TLS else 0]
    url = f"{'https' if TLS else 'http'}://127.0.0.1:{port}{compare.ANN_PATH if ANN else '/ok'}"
    extra = (["-H", f"Host: {HOST or compare.ANN_HOST}", "-H", f"Origin: {compare.ANN_ORIGIN}"] if ANN else ["-H", f"Host: {HOST}"] if HOST else []) \
        + (["-H", "Connection: close"] if CLOSE else [])
    print(f"warming up {WARMUP} s", flush=True)
    compare.run_wrk(url, extra, WARMUP)
    data = compare.work / "perf.data"
    result = {}

    def load():
        result["wrk"] = compare.run_wrk(url, extra, SECONDS + 2)

    loader = threading.Thread(target=load)
    loader.start()
    time.sleep(1)
    cpu0 = compare.proc_cpu_seconds(alb.pid)
    subprocess.run(["taskset", "-c", compare.LOAD_CPU, "perf", "record", "-q", "-e", "cpu-clock", "-F", str(FREQ), "-g",
                    "-p", str(alb.pid), "-o", str(data), "--", "sleep", str(SECONDS)], check=True, capture_output=True)
    cpu1 = compare.proc_cpu_seconds(alb.pid)
    loader.join()
    rps = result["wrk"][0]
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "dso,sym", "-g", "none", "-q", "-n"],
                            check=True, capture_output=True, text=True).stdout
    samples = collections.Counter()
    for line in report.splitlines():
        m = re.match(r"\s*[\d.]+%\s+(\d+)\s+(.*)$", line)
        if m:
            samples[m.group(2).strip()] += int(m.group(1))
    total = sum(samples.values())
    if total == 0:
        raise SystemExit("perf recorded no samples")
    us_per_request = (cpu1 - cpu0) / SECONDS * 1e6 / rps
    parts = collections.Counter()
    top = collections.defaultdict(collections.Counter)
    for symbol, n in samples.items():
        part = part_of(symbol)
        parts[part] += n
        top[part][re.sub(r"\s+", " ", symbol)] += n
    busy = (cpu1 - cpu0) / SECONDS
    print(f"\nalb, {rps:,.0f} req/s under wrk -c64, {us_per_request:.1f} µs CPU per request, alb {100 * busy:.0f} % busy, "
          f"{total:,} samples in {SECONDS} s\n")
    print("| part | share | µs per request | largest symbols |")
    print("|---|---:|---:|---|")
    for name, n in parts.most_common():
        biggest = "; ".join(f"`{short(s)[:60]}` {100 * c / total:.1f} %" for s, c in top[name].most_common(3))
        print(f"| {name} | {100 * n / total:.1f} % | {us_per_request * n / total:.1f} | {biggest} |")


if __name__ == "__main__":
    try:
        profile()
    finally:
        compare.stop_all()
