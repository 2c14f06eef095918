#!/usr/bin/env python3
"""Where alb's resident memory goes: benchmarks/run.sh memory (issue 15's idle RSS target).

  breakdown.py breakdown BUILD TABLE [ENV=VAL ...]   one start, the breakdown at ready + IDLE_WAIT s: /proc status,
                                                      smaps grouped by mapping and by kind, threads, /metrics
  breakdown.py cells REPS VARIANT [VARIANT ...]       alternating starts: idle RSS (+ CPU per request with LOAD=1)

A VARIANT is BUILD:TABLE[:ENV=VAL+ENV=VAL]: BUILD a directory under benchmarks/results/startup-build (run.sh memory
publishes `jit` there; `run.sh startup` also `r2r`), TABLE one of table (the load benchmark's 501 Ingresses), one
(one Ingress) or empty (no file). Same command line, CPU pinning and DOTNET_TC_DelaySingleProcMultiplier=1 as
benchmarks/startup/alb.py. Env: IDLE_WAIT=3, LOAD=1 (20 s wrk -c64, then CPU per request over 8 s), RAMP=N (N x 5 s
of wrk: req/s and CPU per request of each), IDLE_CONNS=N (N keep-alive clients, one request each, then idle: the RSS
they add, KiB per connection; IDLE_TLS=1 over TLS 1.3 offering http/1.1 only), WARMUP=1 (one unmeasured start per
variant), TOP=25 (mappings listed).
Run it under flock /tmp/edge-bench.lock.
"""
import collections, json, os, re, signal, statistics, subprocess, sys, time, urllib.request
from pathlib import Path

os.environ.setdefault("ANNOTATED", "0")
os.environ.setdefault("AUTH", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "load"))
import compare  # noqa: E402

BUILDS = compare.ROOT / "benchmarks/results/startup-build"
HTTP, HTTPS, ADMIN = 19260, 19261, 19262
WARM = int(os.environ.get("WARM", "20"))
MEASURE = int(os.environ.get("MEASURE", "8"))
LOAD = os.environ.get("LOAD", "0") == "1"
IDLE_WAIT = float(os.environ.get("IDLE_WAIT", "3"))
RAMP = int(os.environ.get("RAMP", "0"))  # RAMP=N: N x 5 s of wrk from ready + IDLE_WAIT, req/s and CPU/request of each
IDLE_CONNS = int(os.environ.get("IDLE_CONNS", "0"))
IDLE_TLS = os.environ.get("IDLE_TLS", "0") == "1"


def idle_clients(n, tls):
    """Opens n keep-alive connections, one request each (answered 200), and returns a closer for all of them."""
    import asyncio, ssl
    loop = asyncio.new_event_loop()
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["http/1.1"])
    writers = []

    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", HTTPS if tls else HTTP, ssl=context)
        writer.write(b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"idle client: {head[:40]!r}")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        if length:
            await reader.readexactly(int(length[1]))
        writers.append(writer)

    async def all_of_them():
        for start_at in range(0, n, 200):
            await asyncio.gather(*(one() for _ in range(min(200, n - start_at))))

    loop.run_until_complete(all_of_them())

    def close():
        for w in writers:
            w.close()
        loop.run_until_complete(asyncio.sleep(0.2))
        loop.close()

    return close


def tables():
    compare.write_configs()
    w = compare.work
    (w / "empty").mkdir()
    (w / "one").mkdir()
    docs = (w / "manifests" / "bench.yaml").read_text().split("\n---\n")
    (w / "one" / "bench.yaml").write_text("\n---\n".join(docs[:4]) + "\n")
    return {"table": w / "manifests", "one": w / "one", "empty": w / "empty"}


def get(path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}{path}", timeout=timeout) as r:
        return r.status, r.read().decode()


def ready(deadline):
    while time.monotonic() < deadline:
        try:
            if get("/readyz", 1)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.005)
    return False


def start(build, table_dir, env):
    host = [str(BUILDS / build / "alb")] if (BUILDS / build / "libcoreclr.so").exists() else ["dotnet", str(BUILDS / build / "alb.dll")]
    cmd = host + ["serve", "--manifests", str(table_dir),
           "--http", f"127.0.0.1:{HTTP}", "--https", f"127.0.0.1:{HTTPS}", "--admin", f"127.0.0.1:{ADMIN}",
           "--default-ssl-certificate", "bench/bench-tls", "--access-log", "off", "--log-level", "warning"]
    started = time.monotonic()
    p = compare.start("memory", cmd, compare.PROXY_CPU, {**compare.DOTNET_ENV, **env})
    if not ready(started + 60):
        stop(p)
        raise SystemExit(f"{build} {table_dir} {env}: not ready within 60 s (log in {compare.work})")
    return p, (time.monotonic() - started) * 1000, compare.proc_cpu_seconds(p.pid) * 1000


def stop(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        pass
    compare.procs.pop("memory", None)


def status(pid):
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSize", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE"):
            out[k] = int(v.split()[0])
        elif k == "Threads":
            out[k] = int(v)
    return out


def smaps(pid):
    vmas, cur = [], None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$", line)
        if m:
            cur = {"start": int(m[1], 16), "end": int(m[2], 16), "perms": m[3], "path": m[4].strip(), "f": {}}
            vmas.append(cur)
        elif cur is not None and ":" in line:
            k, _, v = line.partition(":")
            parts = v.split()
            if parts and parts[-1] == "kB":
                cur["f"][k] = int(parts[0])
    return vmas


def thread_stacks(pid, vmas):
    """VMA index -> thread names whose stack pointer is inside it (from /proc/PID/task/TID/syscall)."""
    found = collections.defaultdict(list)
    for t in sorted(Path(f"/proc/{pid}/task").iterdir()):
        try:
            sc = (t / "syscall").read_text().split()
            name = (t / "comm").read_text().strip()
        except OSError:
            continue
        if len(sc) < 3 or sc[0] == "running":
            continue
        sp = int(sc[-2], 16)
        for i, v in enumerate(vmas):
            if v["start"] <= sp < v["end"]:
                found[i].append(name)
                break
    return found


def classify(vmas, stacks):
    """Label each VMA: file path, [heap]/[stack], thread stack (VMA holding a thread's stack pointer, with its guard
    page), glibc malloc arena (a 64 MiB-aligned run of anonymous VMAs 64 MiB long), W^X double mapping, or anon
    cluster (a run of adjacent anonymous VMAs, named by address and virtual size: the GC's reservation is the huge one)."""
    labels = [None] * len(vmas)
    for i, names in stacks.items():
        labels[i] = "thread stack"
        if i > 0 and not vmas[i - 1]["path"] and vmas[i - 1]["perms"].startswith("---") and vmas[i - 1]["end"] == vmas[i]["start"]:
            labels[i - 1] = "thread stack"
    clusters, cur = [], []
    for i, v in enumerate(vmas):
        if v["path"] or labels[i]:
            if cur:
                clusters.append(cur)
            cur = []
            continue
        if cur and vmas[cur[-1]]["end"] != v["start"]:
            clusters.append(cur)
            cur = []
        cur.append(i)
    if cur:
        clusters.append(cur)
    ARENA = 64 << 20
    for c in clusters:
        # split off 64 MiB-aligned arenas
        j = 0
        while j < len(c):
            v = vmas[c[j]]
            if v["start"] % ARENA == 0:
                k, end = j, v["start"]
                while k < len(c) and vmas[c[k]]["end"] - v["start"] <= ARENA:
                    end = vmas[c[k]]["end"]
                    k += 1
                if end - v["start"] == ARENA and k - j >= 2 and vmas[c[j]]["perms"].startswith("rw"):
                    for m in c[j:k]:
                        labels[m] = "malloc arena (64 MiB reserve)"
                    j = k
                    continue
            j += 1
        rest = [i for i in c if labels[i] is None]
        if not rest:
            continue
        vsz = sum(vmas[i]["end"] - vmas[i]["start"] for i in rest)
        exe = any("x" in vmas[i]["perms"] for i in rest)
        name = f"anon{' exec' if exe else ''} @{vmas[rest[0]]['start']:x} vsz {vsz / 2**20:.1f} MiB"
        for i in rest:
            labels[i] = name
    for i, v in enumerate(vmas):
        if labels[i] is None:
            labels[i] = v["path"]
    return labels


def breakdown(pid, top=25):
    st = status(pid)
    vmas = smaps(pid)
    stacks = thread_stacks(pid, vmas)
    labels = classify(vmas, stacks)
    agg = collections.OrderedDict()
    for v, lab in zip(vmas, labels):
        a = agg.setdefault(lab, collections.Counter())
        a["vsz"] += (v["end"] - v["start"]) // 1024
        for k in ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Shared_Dirty", "Anonymous"):
            a[k] += v["f"].get(k, 0)
        a["n"] += 1
    # Summaries by kind
    kinds = collections.Counter()
    for lab, a in agg.items():
        if lab.startswith("thread stack"):
            k = "thread stacks"
        elif lab.startswith("anon exec"):
            k = "anon exec"
        elif lab.startswith("anon"):
            k = "anon other"
        elif "doublemapper" in lab:
            k = "doublemapper (W^X code/stubs, shmem)"
        elif lab.endswith(".dll"):
            k = "managed .dll files"
        elif ".so" in lab:
            k = ".so files"
        else:
            k = lab
        kinds[k] += a["Rss"]
    return st, agg, kinds, stacks


def print_breakdown(pid, tag):
    st, agg, kinds, stacks = breakdown(pid)
    tasks = [(t / "comm").read_text().strip() for t in Path(f"/proc/{pid}/task").iterdir()]
    print(f"== {tag}: /proc/PID/status (KiB): " + ", ".join(f"{k} {v}" for k, v in st.items()))
    print(f"   threads ({len(tasks)}): " + ", ".join(f"{n} x{c}" if c > 1 else n for n, c in collections.Counter(tasks).most_common()))
    print(f"   by kind (Rss KiB): " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print(f"   {'Rss':>7} {'Pss':>7} {'PrivD':>7} {'PrivC':>7} {'ShrC':>7} {'VSZ':>10} {'n':>4}  mapping")
    rows = sorted(agg.items(), key=lambda kv: -kv[1]["Rss"])
    top = int(os.environ.get("TOP", "25"))
    for lab, a in rows[:top]:
        print(f"   {a['Rss']:7} {a['Pss']:7} {a['Private_Dirty']:7} {a['Private_Clean']:7} {a['Shared_Clean']:7} {a['vsz']:10} {a['n']:4}  {lab}")
    rest = rows[top:]
    print(f"   {sum(a['Rss'] for _, a in rest):7} ... {len(rest)} more mappings")
    dm = collections.Counter()
    for v in smaps(pid):
        if "doublemapper" in v["path"]:
            dm[v["perms"]] += v["f"].get("Rss", 0)
            dm[v["perms"] + " n"] += 1
    print("   doublemapper by permission (Rss KiB; n = VMAs): " + ", ".join(f"{k} {x}" for k, x in sorted(dm.items())))
    n_st = sum(len(v) for v in stacks.values())
    print(f"   thread stacks: {n_st} threads' stack pointers found in {len(stacks)} VMAs; Rss of those VMAs {agg.get('thread stack', {}).get('Rss', 0)} KiB")
    if os.environ.get("ANON_DETAIL"):
        for v, lab in zip(smaps(pid), classify(smaps(pid), thread_stacks(pid, smaps(pid)))):
            if not v["path"] and v["f"].get("Rss", 0) >= 128:
                print(f"     anon {v['start']:x}-{v['end']:x} {v['perms']} rss {v['f'].get('Rss')} vsz {(v['end']-v['start'])//1024}  {lab}")
    dlls = sorted({Path(lab).name for lab in agg if lab.endswith(".dll")})
    print(f"   managed assemblies mapped ({len(dlls)}): {' '.join(dlls)}")


def parse_env(spec):
    return dict(kv.split("=", 1) for kv in spec.split("+")) if spec else {}


def cmd_breakdown(build, table, envspecs):
    t = tables()
    env = parse_env("+".join(envspecs))
    p, ready_ms, cpu_ms = start(build, t[table], env)
    try:
        time.sleep(IDLE_WAIT)
        pid = p.pid  # taskset execs dotnet: the process started is alb itself
        print(f"# {build} {table} {env}: ready {ready_ms:.0f} ms, CPU until ready {cpu_ms:.0f} ms")
        print_breakdown(pid, "ready + 3 s")
        rss0 = status(pid)["VmRSS"]
        code, body = get("/metrics")
        wanted = ("dotnet_total_memory_bytes", "process_working_set_bytes", "process_private_memory_bytes",
                  "process_num_threads", "dotnet_collection_count_total", "process_virtual_memory_bytes")
        print("   /metrics: " + "; ".join(l for l in body.splitlines() if l.startswith(wanted)))
        rss1 = status(pid)["VmRSS"]
        print(f"   RSS {rss0} KiB before the admin requests, {rss1} KiB after them")
    finally:
        stop(p)


def cell(variant, tdirs):
    build, table, spec = (variant.split(":", 2) + ["", ""])[:3]
    env = parse_env(spec)
    p, ready_ms, cpu_ms = start(build, tdirs[table], env)
    try:
        time.sleep(IDLE_WAIT)
        pid = p.pid  # taskset execs dotnet: the process started is alb itself
        s = status(pid)
        r = {"ready_ms": ready_ms, "cpu_ms": cpu_ms, "rss": s["VmRSS"] / 1024, "anon": s["RssAnon"] / 1024,
             "file": s["RssFile"] / 1024, "shmem": s["RssShmem"] / 1024, "threads": s["Threads"]}
        if RAMP:
            url = f"http://127.0.0.1:{HTTP}/ok"
            for k in range(RAMP):
                c0 = compare.proc_cpu_seconds(pid)
                rps, _, _, errors = compare.run_wrk(url, [], 5)
                r[f"rps{k + 1}"] = rps
                r[f"us{k + 1}"] = (compare.proc_cpu_seconds(pid) - c0) * 1e6 / max(1, rps * 5)
            r["load_rss"] = compare.mem_kib(pid, "VmRSS") / 1024
        if IDLE_CONNS:
            close = idle_clients(IDLE_CONNS, IDLE_TLS)
            try:
                time.sleep(IDLE_WAIT)
                r["conns_rss"] = status(pid)["VmRSS"] / 1024
                r["kib_per_conn"] = (r["conns_rss"] - r["rss"]) * 1024 / IDLE_CONNS
            finally:
                close()
        if LOAD:
            url = f"http://127.0.0.1:{HTTP}/ok"
            compare.run_wrk(url, [], WARM)
            r["load_rss"] = compare.mem_kib(pid, "VmRSS") / 1024
            c0 = compare.proc_cpu_seconds(pid)
            rps, _, _, errors = compare.run_wrk(url, [], MEASURE)
            if errors:
                raise SystemExit(f"{variant}: {errors} errors")
            r["us_req"] = (compare.proc_cpu_seconds(pid) - c0) * 1e6 / (rps * MEASURE)
            r["rps"] = rps
        return r
    finally:
        stop(p)


def cmd_cells(reps, variants):
    tdirs = tables()
    if LOAD or RAMP or IDLE_CONNS:
        compare.start("origin", ["nginx", "-c", str(compare.work / "origin.conf")], compare.LOAD_CPU)
        compare.wait_port(compare.ORIGIN)
    for v in variants:
        if os.environ.get("WARMUP", "1") == "1":
            cell(v, tdirs)
    res = {v: [] for v in variants}
    for rep in range(reps):
        for v in variants:
            r = cell(v, tdirs)
            res[v].append(r)
            print(f"rep {rep + 1} {v}: " + ", ".join(f"{k} {x:.1f}" if isinstance(x, float) else f"{k} {x}" for k, x in r.items()), flush=True)
    keys = ["rss", "anon", "file", "shmem", "threads", "ready_ms", "cpu_ms"] + (["load_rss", "us_req", "rps"] if LOAD else []) \
        + ([f"rps{k + 1}" for k in range(RAMP)] + [f"us{k + 1}" for k in range(RAMP)] + ["load_rss"] if RAMP else []) \
        + (["conns_rss", "kib_per_conn"] if IDLE_CONNS else [])
    print(f"\nmedians of {reps} (min-max)")
    print("| variant | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for v in variants:
        cells = []
        for k in keys:
            xs = [r[k] for r in res[v]]
            cells.append(f"{statistics.median(xs):.1f} ({min(xs):.1f}-{max(xs):.1f})")
        print(f"| {v} | " + " | ".join(cells) + " |")
    print(json.dumps(res), file=open(compare.work / "cells.json", "w"))


if __name__ == "__main__":
    try:
        if sys.argv[1] == "breakdown":
            cmd_breakdown(sys.argv[2], sys.argv[3], sys.argv[4:])
        elif sys.argv[1] == "cells":
            cmd_cells(int(sys.argv[2]), sys.argv[3:])
    finally:
        compare.stop_all()
