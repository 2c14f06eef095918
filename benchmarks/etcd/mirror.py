#!/usr/bin/env python3
"""etcd-backup mirror against `etcdctl make-mirror`, side by side in one run (etcd 3.4, loopback).

  initial sync  a keyspace of MIRROR_MIB (default 100) MiB in VALUE_KIB (4) KiB values under /bench/, copied into an
                empty destination: seconds until the destination holds every key; MB/s and keys/s
  lag           RATE (1000) puts/s of 1 KiB for SECONDS (15) at the source; each key's time from the put's answer to
                its arrival in a watch on the destination: p50/p99; the mirror process's CPU (% of one core)
  restart       the mirror stopped, 100 puts, started again: time to the first applied change, and whether it copied
                again (etcdctl make-mirror has no resume: it starts over)
Each tool gets its own fresh destination; etcd on CPU0, the tools on CPU1. Uses etcd's JSON gateway (/v3/...) for load
and watches. env: MIRROR_MIB, VALUE_KIB, RATE, WRITERS (8), SECONDS, EB_BIN (a published etcd-backup; else published here).
"""
from compare import write_results  # same directory
import base64, http.client, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIB = int(os.environ.get("MIRROR_MIB", "100"))
VALUE = int(os.environ.get("VALUE_KIB", "4")) * 1024
RATE = int(os.environ.get("RATE", "1000"))
WRITERS = int(os.environ.get("WRITERS", "8"))
SECONDS = int(os.environ.get("SECONDS", "15"))
b64 = lambda s: base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def etcd(work, name):
    c, p = port(), port()
    proc = subprocess.Popen(["taskset", "-c", "0", "etcd", "--name", name, "--data-dir", f"{work}/{name}",
                             "--listen-client-urls", f"http://127.0.0.1:{c}", "--advertise-client-urls", f"http://127.0.0.1:{c}",
                             "--listen-peer-urls", f"http://127.0.0.1:{p}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{p}",
                             "--initial-cluster", f"{name}=http://127.0.0.1:{p}", "--quota-backend-bytes", str(8 << 30),
                             "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            call(c, "/v3/kv/range", {"key": b64("x")})
            return proc, c
        except OSError:
            time.sleep(0.1)
    sys.exit(f"etcd {name} did not start")


def call(port_, path, body, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port_, timeout=30)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    r = json.loads(conn.getresponse().read() or b"{}")
    if own:
        conn.close()
    return r


def count(port_, prefix):
    end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return int(call(port_, "/v3/kv/range", {"key": b64(prefix), "range_end": b64(end), "count_only": True}).get("count", 0))


def load(src, n):
    value = os.urandom(VALUE * 3 // 4)
    conn = http.client.HTTPConnection("127.0.0.1", src, timeout=30)
    for start in range(0, n, 128):
        ops = [{"request_put": {"key": b64(f"/bench/{i:07d}"), "value": b64(base64.b64encode(value))}} for i in range(start, min(n, start + 128))]
        call(src, "/v3/kv/txn", {"success": ops}, conn)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def start_tool(tool, src, dst, log, admin=None):
    if tool == "make-mirror":
        cmd = ["etcdctl", "--endpoints", f"127.0.0.1:{src}", "make-mirror", "--prefix", "/", f"127.0.0.1:{dst}"]
    else:
        cmd = [BIN, "mirror", "--endpoints", f"http://127.0.0.1:{src}", "--dest-endpoints", f"http://127.0.0.1:{dst}",
               "--prefix", "/", "--rev-key", "#mirror-revision", "--admin", f"127.0.0.1:{admin or port()}"]
    return subprocess.Popen(["taskset", "-c", "1", *cmd], env={**os.environ, "ETCDCTL_API": "3"}, stdout=log, stderr=subprocess.STDOUT)


def over(port_, metric, le):
    """How many observations of a Prometheus histogram on port_'s /metrics were above the bucket le."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port_}/metrics", timeout=10) as r:
        text = r.read().decode()
    total = float(re.search(rf"^{metric}_count (\S+)$", text, re.M).group(1))
    fast = float(re.search(rf'^{metric}_bucket{{le="{le}"}} (\S+)$', text, re.M).group(1))
    return total - fast


def slow_fsyncs(port_):
    """etcd's WAL fsyncs so far that took longer than 64 ms."""
    return over(port_, "etcd_disk_wal_fsync_duration_seconds", "0.064")


def watch(port_, tag, seen):
    """Records when each key under /tag/ is first seen by a watch on port_ (a thread)."""
    conn = http.client.HTTPConnection("127.0.0.1", port_, timeout=SECONDS + 30)
    conn.request("POST", "/v3/watch", json.dumps({"create_request": {"key": b64(f"/{tag}/"), "range_end": b64(f"/{tag}0")}}))
    stream = conn.getresponse()

    def run():
        try:
            for line in stream:
                for ev in json.loads(line).get("result", {}).get("events", []):
                    seen.setdefault(base64.b64decode(ev["kv"]["key"]).decode(), time.monotonic())
        except OSError:
            pass  # the watch idles out after its phase

    threading.Thread(target=run, daemon=True).start()


def watch_native(port_, tag, seen):
    """The same as watch(), through etcdctl (etcd's own Go client over gRPC): a consumer that never falls behind."""
    proc = subprocess.Popen(["etcdctl", "--endpoints", f"127.0.0.1:{port_}", "watch", "--prefix", f"/{tag}/", "-w", "json"],
                            env={**os.environ, "ETCDCTL_API": "3"}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def run():
        for line in proc.stdout:
            try:
                events = json.loads(line).get("Events") or []
            except ValueError:
                continue
            now = time.monotonic()
            for ev in events:
                seen.setdefault(base64.b64decode(ev["kv"]["key"]).decode(), now)

    threading.Thread(target=run, daemon=True).start()
    return proc


def percentiles(seen, acked):
    lags = sorted((seen[k] - acked[k]) * 1000 for k in acked if k in seen)
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")
    return {"p50": p(0.50), "p90": p(0.90), "p95": p(0.95), "p99": p(0.99), "max": lags[-1] if lags else float("nan"),
            "over100": sum(1 for x in lags if x > 100), "missing": len(acked) - len(lags)}


def lag(src, dst, pid, tag, admin=None):
    # The same watch on the source is the floor: what this harness (Python, etcd's JSON gateway, one machine) itself
    # adds between a put's answer and its watch event, with no mirror in between.
    seen, floor, native, acked = {}, {}, {}, {}
    watch(dst, tag, seen)
    watch(src, tag, floor)
    etcdctl = watch_native(dst, tag, native)
    time.sleep(0.5)
    fsyncs = (slow_fsyncs(src), slow_fsyncs(dst))
    txns = (over(admin, "etcd_mirror_transaction_duration_seconds", "0.1"), over(admin, "etcd_mirror_transaction_duration_seconds", "0.05")) if admin else (0, 0)
    value = b64(os.urandom(768))
    t0, before, n = time.monotonic(), cpu_ticks(pid), RATE * SECONDS

    def writer(k):
        # WRITERS connections share the paced schedule (one connection through etcd's JSON gateway tops out near
        # 600 puts/s here): writer k sends puts k, k + WRITERS, ...
        put = http.client.HTTPConnection("127.0.0.1", src, timeout=30)
        for i in range(k, n, WRITERS):
            due = t0 + i / RATE
            while time.monotonic() < due:
                time.sleep(max(0, due - time.monotonic()))
            call(src, "/v3/kv/put", {"key": b64(f"/{tag}/{i}"), "value": value}, put)
            acked[f"/{tag}/{i}"] = time.monotonic()

    writers = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    elapsed = time.monotonic() - t0
    cpu = (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK") / elapsed * 100
    deadline = time.monotonic() + 30
    while len(seen) < n and time.monotonic() < deadline:
        time.sleep(0.1)
    r = {"rate": n / elapsed, "cpu": cpu, "src_fsyncs": slow_fsyncs(src) - fsyncs[0], "dst_fsyncs": slow_fsyncs(dst) - fsyncs[1],
         "slow_txns": over(admin, "etcd_mirror_transaction_duration_seconds", "0.1") - txns[0] if admin else float("nan"),
         "txns50": over(admin, "etcd_mirror_transaction_duration_seconds", "0.05") - txns[1] if admin else float("nan"), **percentiles(seen, acked)}
    r["floor"] = percentiles(floor, acked)
    r["native"] = percentiles(native, acked)
    etcdctl.terminate()
    return r


def main():
    global BIN
    BIN = os.environ.get("EB_BIN")
    published = None
    if not BIN:
        published = tempfile.mkdtemp(prefix="etcd-backup-bin-")
        subprocess.run(["dotnet", "publish", "-c", "Release", "-r", "linux-x64", "-v", "quiet", "-nologo", "-o", published,
                        os.path.join(ROOT, "src/EtcdBackup/EtcdBackup")], check=True)
        BIN = os.path.join(published, "etcd-backup")
    work = tempfile.mkdtemp(prefix="etcd-mirror-bench-")
    procs, results = [], {}
    try:
        src_p, src = etcd(work, "src")
        procs.append(src_p)
        n = MIB * 1024 * 1024 // VALUE
        print(f"loading {n} keys of {VALUE} bytes ({MIB} MiB) ...", flush=True)
        load(src, n)
        total = n * (VALUE + 15)
        for tool in ["make-mirror", "etcd-backup"]:
            dst_p, dst = etcd(work, "dst-" + tool.replace("-", ""))
            procs.append(dst_p)
            log = open(f"{work}/{tool}.log", "w+")
            t0 = time.monotonic()
            admin = port() if tool == "etcd-backup" else None
            proc = start_tool(tool, src, dst, log, admin)
            while count(dst, "/bench/") < n:
                if proc.poll() is not None:
                    sys.exit(f"{tool} exited:\n{open(log.name).read()[-2000:]}")
                time.sleep(0.05)
            sync = time.monotonic() - t0
            r = {"sync_s": sync, "sync_mbs": total / sync / 1e6, "sync_keys": n / sync}
            print(f"{tool:12} initial sync {sync:6.2f} s {r['sync_mbs']:7.1f} MB/s {r['sync_keys']:8.0f} keys/s", flush=True)
            r.update(lag(src, dst, proc.pid, "lag" + tool.replace("-", ""), admin))
            f = r["floor"]
            print(f"{tool:12} lag at {r['rate']:.0f} puts/s: p50 {r['p50']:.1f} ms p90 {r['p90']:.1f} p95 {r['p95']:.1f} p99 {r['p99']:.1f} max {r['max']:.1f} ms, {r['over100']} over 100 ms, missing {r['missing']}, CPU {r['cpu']:.0f} %", flush=True)
            v = r["native"]
            print(f"{'':12} the destination watched by etcdctl (gRPC) instead: p50 {v['p50']:.1f} ms p99 {v['p99']:.1f} max {v['max']:.1f} ms, "
                  f"{v['over100']} over 100 ms, missing {v['missing']}", flush=True)
            print(f"{'':12} floor (the same watch on the source): p50 {f['p50']:.1f} ms p99 {f['p99']:.1f} max {f['max']:.1f} ms, {f['over100']} over 100 ms; "
                  f"WAL fsyncs over 64 ms: source {r['src_fsyncs']:.0f}, destination {r['dst_fsyncs']:.0f}; "
                  f"destination transactions over 100 ms: {r['slow_txns']:.0f} (over 50 ms: {r['txns50']:.0f})", flush=True)
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            tag = "resume" + tool.replace("-", "")
            for i in range(100):
                call(src, "/v3/kv/put", {"key": b64(f"/{tag}/{i:03d}"), "value": b64("x")})
            mark = log.tell()
            t0 = time.monotonic()
            proc = start_tool(tool, src, dst, log)
            while count(dst, f"/{tag}/") < 100:
                time.sleep(0.01)
            r["resume_s"] = time.monotonic() - t0
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            log.seek(mark)
            text = log.read()
            r["recopied"] = "resync" in text if tool == "etcd-backup" else True
            first = [l for l in text.splitlines() if "first change applied since start" in l]
            r["first_ms"] = float(first[0].split(", ")[-1].split(" ms")[0]) if first else float("nan")
            print(f"{tool:12} restart: all 100 new keys at the destination {r['resume_s']:.2f} s after start"
                  + (f" (first change applied {r['first_ms']:.0f} ms after start; copied again: {r['recopied']})" if tool == "etcd-backup" else " (starts over: copies everything again)"), flush=True)
            results[tool] = r
            # The next tool gets the machine as this one did: its destination member stops with it (left running,
            # make-mirror's 100 MiB member shared CPU0 with the source during etcd-backup's lag phase).
            dst_p.terminate()
            dst_p.wait()
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)
        if published:
            shutil.rmtree(published, ignore_errors=True)

    mm, eb = results["make-mirror"], results["etcd-backup"]
    lines = ["", f"| tool | initial sync {MIB} MiB: s | MB/s | keys/s | lag p50 ms | lag p99 ms | floor p99 ms | dest. fsyncs > 64 ms | dest. txns > 100 ms | CPU % at {RATE}/s | restart: new keys visible after s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['sync_s']:.2f} | {r['sync_mbs']:.1f} | {r['sync_keys']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['floor']['p99']:.1f} | {r['dst_fsyncs']:.0f} | {r['slow_txns']:.0f} | {r['cpu']:.0f} | {r['resume_s']:.2f} |")
    ratio = mm["sync_s"] / eb["sync_s"]
    lines += ["", f"initial sync vs make-mirror: {ratio:.2f}x (target >= 1.0: {'met' if ratio >= 1 else 'NOT met'}); "
              f"p99 lag {eb['p99']:.1f} ms (target <= 100: {'met' if eb['p99'] <= 100 else 'NOT met'}); "
              f"resume: first change {eb['first_ms']:.0f} ms after start, copied again: {eb['recopied']} "
              f"(target < 1 s without a copy: {'met' if eb['first_ms'] < 1000 and not eb['recopied'] else 'NOT met'})"]
    write_results("\n".join(lines), "etcd-mirror")


if __name__ == "__main__":
    main()
