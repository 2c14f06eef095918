#!/usr/bin/env python3
"""etcd-backup snapshot against `etcdctl snapshot save` (+ a separate upload), side by side in one run.

For each database size: a fresh etcd 3.4 (pinned to CPU0) loaded with 1 MiB values (base64 of random bytes), the S3 test
server (tests/tools/s3server, CPU0), then REPS interleaved rounds (clients pinned to CPU1) of
  etcdctl          etcdctl snapshot save
  etcdctl+upload   etcdctl snapshot save, then the file PUT to S3 (curl --aws-sigv4)
  eb-local        etcd-backup snapshot --local-dir            (process start included, like etcdctl's)
  eb-local+s3     etcd-backup snapshot --local-dir --s3-url   (upload overlapped with the stream)
  eb-local+s3null the same into a discarding S3 endpoint (s3sink.py, CPU0): the client's own ceiling where the S3 test
                  server, which stores every part and then concatenates them, is the bottleneck
etcd-backup is run as installed: published for linux-x64 (Native AOT, a native executable). Prints medians: seconds, MB/s (10^6 bytes of database per second), peak RSS, and the ratios the issue sets targets for.
env: SIZES_MIB (default "100"), REPS (default 3).
"""
import json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLISHED = tempfile.mkdtemp(prefix="etcd-backup-bin-") if __name__ == "__main__" else None  # not when mirror.py imports it
BIN = os.path.join(PUBLISHED, "etcd-backup") if PUBLISHED else None
SINK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3sink.py")
S3JS = os.path.join(ROOT, "tests/tools/s3server/s3server.js")
SIZES = [int(s) for s in os.environ.get("SIZES_MIB", "100").split(",")]
REPS = int(os.environ.get("REPS", "3"))
KEY, SECRET = "BENCHKEY", "benchsecret"


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS MiB)."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", "taskset", "-c", "1", *cmd], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = [l for l in out.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    return float(line[1]), int(line[2]) / 1024


def write_results(text, name):
    """Prints the table and keeps it in benchmarks/results/NAME-TIME.md."""
    print(text)
    os.makedirs(os.path.join(ROOT, "benchmarks/results"), exist_ok=True)
    path = os.path.join(ROOT, "benchmarks/results", time.strftime(f"{name}-%Y%m%d-%H%M%S.md"))
    with open(path, "w") as f:
        f.write(text + "\n")
    print(f"written to {path}")


def main():
    subprocess.run(["dotnet", "publish", "-c", "Release", "-r", "linux-x64", "-v", "quiet", "-nologo", "-o", PUBLISHED,
                    os.path.join(ROOT, "src/EtcdBackup/EtcdBackup")], check=True)
    results = {}
    for size in SIZES:
        work = tempfile.mkdtemp(prefix="etcd-backup-bench-")
        cport, pport, sport, nport = port(), port(), port(), port()
        client = f"http://127.0.0.1:{cport}"
        etcd = subprocess.Popen(["taskset", "-c", "0", "etcd", "--data-dir", f"{work}/etcd", "--listen-client-urls", client,
                                 "--advertise-client-urls", client, "--listen-peer-urls", f"http://127.0.0.1:{pport}",
                                 "--initial-advertise-peer-urls", f"http://127.0.0.1:{pport}",
                                 "--initial-cluster", f"default=http://127.0.0.1:{pport}", "--quota-backend-bytes", str(8 << 30),
                                 "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.makedirs(f"{work}/s3")
        s3 = subprocess.Popen(["taskset", "-c", "0", "node", "--openssl-legacy-provider", S3JS, f"{work}/s3", str(sport), "bench"],
                              env={**os.environ, "S3_ACCESS_KEY": KEY, "S3_SECRET_KEY": SECRET}, stdout=subprocess.PIPE, text=True)
        s3.stdout.readline()
        sink = subprocess.Popen(["taskset", "-c", "0", sys.executable, SINK, str(nport)], stdout=subprocess.PIPE, text=True)
        sink.stdout.readline()
        try:
            time.sleep(1)
            print(f"loading {size} MiB into etcd ...", flush=True)
            values = size  # 1 MiB values (base64 of 768 KiB random bytes): 1,024 puts per GiB
            loader = (f"for i in $(seq {{0}} 8 {values - 1}); do head -c 786432 /dev/urandom | base64 -w0 | "
                      f"ETCDCTL_API=3 etcdctl --endpoints {client} put /bench/$i >/dev/null; done")
            subprocess.run(" & ".join(loader.replace("{0}", str(k)) for k in range(8)) + " & wait", shell=True, check=True)
            status = json.loads(subprocess.run(["etcdctl", "--endpoints", client, "endpoint", "status", "-w", "json"],
                                               env={**os.environ, "ETCDCTL_API": "3"}, capture_output=True, text=True).stdout)
            db = status[0]["Status"]["dbSize"]
            env = {**os.environ, "ETCDCTL_API": "3", "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
                   "AWS_EC2_METADATA_DISABLED": "true"}
            runs = {k: [] for k in ["etcdctl", "etcdctl+upload", "eb-local", "eb-local+s3", "eb-local+s3null"]}
            out = f"{work}/out"
            os.makedirs(out, exist_ok=True)
            timed(["etcdctl", "--endpoints", client, "snapshot", "save", f"{out}/warm.db"], env)  # etcd's first snapshot reads cold pages
            for rep in range(REPS):
                order = list(runs)
                order = order[rep % len(order):] + order[:rep % len(order)]  # each tool goes first once in a while
                for name in order:
                    shutil.rmtree(out, ignore_errors=True)
                    os.makedirs(out)
                    os.sync()  # the previous run's unwritten pages (the S3 server does not fsync) must not slow this one
                    if name == "etcdctl":
                        r = timed(["etcdctl", "--endpoints", client, "snapshot", "save", f"{out}/s.db"], env)
                    elif name == "etcdctl+upload":
                        t0 = time.monotonic()
                        _, rss = timed(["etcdctl", "--endpoints", client, "snapshot", "save", f"{out}/s.db"], env)
                        timed(["curl", "-sf", "-o", "/dev/null", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{KEY}:{SECRET}",
                               "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-T", f"{out}/s.db",
                               f"http://127.0.0.1:{sport}/bench/etcdctl/s{rep}.db"])
                        r = (time.monotonic() - t0, rss)
                    elif name == "eb-local":
                        r = timed([BIN, "snapshot", "--endpoints", client, "--local-dir", out], env)
                    else:
                        store = sport if name == "eb-local+s3" else nport
                        r = timed([BIN, "snapshot", "--endpoints", client, "--local-dir", out,
                                   "--s3-url", f"s3://bench/rep{rep}", "--s3-endpoint", f"http://127.0.0.1:{store}"], env)
                    runs[name].append(r)
                    print(f"{size} MiB rep {rep + 1} {name:15} {r[0]:7.2f} s  {db / r[0] / 1e6:7.1f} MB/s  RSS {r[1]:6.1f} MiB", flush=True)
            med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in runs.items()}
            results[size] = (db, med)
        finally:
            for p in (etcd, s3, sink):
                p.terminate()
                p.wait()
            shutil.rmtree(work, ignore_errors=True)

    lines = ["", "| db | tool | s (median) | MB/s | peak RSS MiB |", "|---|---|---:|---:|---:|"]
    for size, (db, med) in results.items():
        for name, (sec, rss) in med.items():
            lines.append(f"| {db / 2**20:.0f} MiB | {name} | {sec:.2f} | {db / sec / 1e6:.1f} | {rss:.0f} |")
    lines += ["", "| db | local throughput vs etcdctl (target >= 1.0) | local+S3 time / etcdctl save time (target <= 1.2) | local+S3 time / etcdctl+upload | local+discarding S3 / etcdctl save |",
              "|---|---:|---:|---:|---:|"]
    for size, (db, med) in results.items():
        lines.append(f"| {db / 2**20:.0f} MiB | {med['etcdctl'][0] / med['eb-local'][0]:.2f} | "
                     f"{med['eb-local+s3'][0] / med['etcdctl'][0]:.2f} | {med['eb-local+s3'][0] / med['etcdctl+upload'][0]:.2f} | "
                     f"{med['eb-local+s3null'][0] / med['etcdctl'][0]:.2f} |")
    shutil.rmtree(PUBLISHED, ignore_errors=True)
    write_results("\n".join(lines), "etcd")


if __name__ == "__main__":
    main()
