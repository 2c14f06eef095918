#!/usr/bin/env python3
"""Side-by-side load comparison: alb, nginx, HAProxy and a minimal YARP proxy in front of one nginx origin.

Run through benchmarks/run.sh, which installs the peers and builds alb and yarp-min. Each proxy gets CPU1 alone;
the load generator and the origin share CPU0. Every cell is the median of REPS runs; ratios are taken per
repetition against nginx and yarp-min of the same repetition (cancelling the machine's slow drift), then the median.

ANNOTATED=1 (the default) adds an annotated route table: 1,000 Ingresses with ingress-nginx annotations alb supports
(use-regex + rewrite-target on half the hosts, enable-cors with an origin list, allowlist-source-range, limit-rps far
above any load) in alb's manifests, and nginx configured to the same effect (what ingress-nginx's template writes).
The ANN_SCENARIOS (run by nginx and alb only, each right after its plain scenario) hit one annotated route with an
allowed Origin; the report sets alb's ratio to nginx there beside its ratio on the plain route (target: at least
0.9 x the plain ratio). ANNOTATED=0 gives the plain table of earlier runs.

AUTH=1 (the default) adds the auth scenarios of auth.py (a basic-auth route, valid credentials and none) right after
h1-ka, for nginx and alb only. (wrk counts the 401s of h1-ka-401 as errors.)
"""
import json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import auth  # noqa: E402
from annotated import ANN_HOST, ANN_ORIGIN, ANN_PATH, ann_manifests, ann_nginx, check_annotated  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REPS = int(os.environ.get("REPS", "3"))
DURATION = int(os.environ.get("DURATION", "10"))
WARMUP = int(os.environ.get("WARMUP", "3"))
INITIAL_WARMUP = int(os.environ.get("INITIAL_WARMUP", "10"))
RATE = int(os.environ.get("RATE", "3000"))          # fixed offered rate (req/s) for the latency scenario (hey -q)
# A target "alb:NAME=VALUE+NAME=VALUE" (or "yarp-min:...") is that proxy with those environment variables: knobs are
# compared with the default in the same run, e.g. TARGETS="yarp-min,alb,alb:DOTNET_TieredPGO=0".
TARGETS = os.environ.get("TARGETS", "direct,nginx,haproxy,yarp-min,alb").split(",")
SCENARIOS = os.environ.get("SCENARIOS", "h1-ka,h1-close,h1-16k,https-ka,h2-tls,h1-rate").split(",")
ANNOTATED = os.environ.get("ANNOTATED", "1") == "1"
ANN_INGRESSES = int(os.environ.get("ANN_INGRESSES", "1000"))
# An annotated scenario "X-ann" is scenario X on the annotated route; it runs right after X, for nginx and alb only.
ANN_SCENARIOS = [s for s in os.environ.get("ANN_SCENARIOS", "h1-ka-ann,https-ka-ann").split(",") if s] if ANNOTATED else []
for _a in ANN_SCENARIOS:
    if not _a.endswith("-ann") or _a[:-4] not in SCENARIOS:
        raise SystemExit(f"annotated scenario {_a} must be NAME-ann with NAME in SCENARIOS")
SCENARIOS = [x for sc in SCENARIOS for x in [sc] + [a for a in ANN_SCENARIOS if a[:-4] == sc]]
AUTH = os.environ.get("AUTH", "1") == "1" and "h1-ka" in SCENARIOS
if AUTH:
    SCENARIOS = [x for sc in SCENARIOS for x in [sc] + (auth.SCENARIOS if sc == "h1-ka" else [])]
# "alb-bin" is alb published some other way, the executable ALB_BIN names (e.g. the native AOT build:
# ALB_BIN=benchmarks/results/startup-build/aot/alb TARGETS=nginx,alb,alb-bin), beside the JIT build ("alb").
ALB_BIN = os.environ.get("ALB_BIN", "")
ANN_BASES = {"nginx", "alb", "alb-bin"}  # the targets that serve the annotated table
LOAD_CPU, PROXY_CPU = "0", "1"

ORIGIN = 19100
PORTS = {"direct": (19101, 19102), "nginx": (19110, 19111), "haproxy": (19120, 19121), "yarp-min": (19130, 19131), "alb": (19140, 19141)}
if any(t.partition(":")[0] == "alb-bin" for t in TARGETS) and not os.access(ALB_BIN, os.X_OK):
    raise SystemExit(f"target alb-bin needs ALB_BIN, an alb executable (got {ALB_BIN!r})")
for _i, _t in enumerate(t for t in TARGETS if t not in PORTS):
    PORTS[_t] = (19150 + 10 * _i, 19151 + 10 * _i)
work = Path(tempfile.mkdtemp(prefix="edge-bench-"))
work.chmod(0o755)  # nginx workers run as an unprivileged user and must read the 16 KiB file
procs = {}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def start(name, cmd, cpu, env=None):
    log = open(work / f"{name.replace(':', '_').replace('/', '_')}.log", "w")
    p = subprocess.Popen(["taskset", "-c", cpu] + cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                         env={**os.environ, **(env or {})})
    procs[name] = p
    return p


def tree(pid):
    """pid and all its descendants."""
    out = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if Path(f"/proc/{pid}/task/{pid}/children").exists() else []:
        out += tree(int(child))
    return out


def mem_kib(pid, field):
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def proc_cpu_seconds(pid):
    """User + system CPU seconds of pid and its descendants (/proc/PID/stat fields 14 and 15)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total / ticks


def cpu_times():
    rows = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3].isdigit():
            f = [int(x) for x in line.split()[1:]]
            rows[line.split()[0]] = (sum(f) - f[3] - f[4], sum(f))
    return rows


def busy(before, after, cpu):
    b, a = before[f"cpu{cpu}"], after[f"cpu{cpu}"]
    return 100.0 * (a[0] - b[0]) / max(1, a[1] - b[1])


def wait_port(port, timeout=30):
    import socket
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}; see {work}")


def write_configs():
    sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(work / "key.pem"),
        "-out", str(work / "cert.pem"), "-days", "30", "-subj", "/CN=bench.example.com", "-addext", "subjectAltName=DNS:bench.example.com"])
    (work / "both.pem").write_text((work / "cert.pem").read_text() + (work / "key.pem").read_text())
    (work / "www").mkdir()
    (work / "www" / "16k").write_bytes(os.urandom(16 * 1024))
    common = lambda name: f"worker_processes 1; daemon off; pid {work}/{name}.pid; error_log {work}/{name}-error.log warn; events {{ worker_connections 4096; }}"
    (work / "origin.conf").write_text(common("origin") + f"""
http {{ access_log off; keepalive_requests 10000000; sendfile on;
  server {{ listen 127.0.0.1:{ORIGIN} reuseport backlog=4096;
    location = /ok {{ return 200 "ok"; }}
    location = /16k {{ alias {work}/www/16k; }} }} }}""")
    # "direct": a second origin instance in the proxy's place, the physical ceiling of one core.
    (work / "direct.conf").write_text(common("direct") + f"""
http {{ access_log off; keepalive_requests 10000000; sendfile on;
  server {{ listen 127.0.0.1:{PORTS['direct'][0]} backlog=4096; listen 127.0.0.1:{PORTS['direct'][1]} ssl http2 backlog=4096;
    ssl_certificate {work}/cert.pem; ssl_certificate_key {work}/key.pem; ssl_protocols TLSv1.3;
    location = /ok {{ return 200 "ok"; }}
    location = /16k {{ alias {work}/www/16k; }} }} }}""")
    (work / "nginx.conf").write_text(common("nginx") + f"""
http {{ access_log off; keepalive_requests 10000000;
  ssl_certificate {work}/cert.pem; ssl_certificate_key {work}/key.pem; ssl_protocols TLSv1.3;
  upstream origin {{ server 127.0.0.1:{ORIGIN}; keepalive 256; }}
  server {{ listen 127.0.0.1:{PORTS['nginx'][0]} default_server backlog=4096; listen 127.0.0.1:{PORTS['nginx'][1]} default_server ssl http2 backlog=4096;
    location / {{ proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme; }} }}
{ann_nginx(*PORTS['nginx']) if ANNOTATED else ""}{auth.nginx_server(work, *PORTS['nginx']) if AUTH else ""} }}""")
    (work / "haproxy.cfg").write_text(f"""global
  nbthread 1
  maxconn 8000
  tune.ssl.default-dh-param 2048
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:{PORTS['haproxy'][0]}
  bind 127.0.0.1:{PORTS['haproxy'][1]} ssl crt {work}/both.pem alpn h2,http/1.1 ssl-min-ver TLSv1.3
  option forwardfor
  http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
  default_backend be
backend be
  http-reuse safe
  server origin 127.0.0.1:{ORIGIN}
""")
    manifests = work / "manifests"
    manifests.mkdir()
    b64 = lambda p: __import__("base64").b64encode(p.read_bytes()).decode()
    docs = [f"""apiVersion: v1
kind: Secret
metadata: {{name: bench-tls, namespace: bench}}
type: kubernetes.io/tls
data: {{tls.crt: {b64(work / 'cert.pem')}, tls.key: {b64(work / 'key.pem')}}}""",
            """apiVersion: v1
kind: Service
metadata: {name: origin, namespace: bench}
spec: {ports: [{name: http, port: 80}]}""",
            f"""apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: origin-1, namespace: bench, labels: {{kubernetes.io/service-name: origin}}}}
addressType: IPv4
ports: [{{name: http, port: {ORIGIN}}}]
endpoints: [{{addresses: ["127.0.0.1"]}}]""",
            """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: bench}
spec:
  ingressClassName: alb
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}]}"""]
    # A realistic table around the benchmarked route: 500 other Ingresses on 100 hosts.
    for i in range(500):
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: filler-{i}, namespace: bench}}
spec:
  ingressClassName: alb
  rules:
  - host: app{i // 5}.example.com
    http: {{paths: [{{path: /svc{i % 5}, pathType: Prefix, backend: {{service: {{name: origin, port: {{number: 80}}}}}}}}]}}""")
    (manifests / "bench.yaml").write_text("\n---\n".join(docs) + "\n")
    if ANNOTATED:
        (manifests / "annotated.yaml").write_text("\n---\n".join(ann_manifests()) + "\n")
    if AUTH:
        (manifests / "auth.yaml").write_text("\n---\n".join(auth.write(work)) + "\n")


# The .NET targets run as shipped (docs/alb.md, "Running on one CPU"): pinned to one CPU, the runtime multiplies its
# tier-up delay by 10 and restarts it on every new tier-0 method, so under load alb stayed at tier-0 code for ~40 s
# (3,500 req/s against 15,000 once tiered up). With the multiplier at 1 (the usual 100 ms) it is at steady state
# within 5-10 s, and, unlike no delay at all, the start-up's code is not recompiled while it runs.
DOTNET_TARGETS = {"alb", "alb-bin", "yarp-min", "loop-min"}
# loop-min (benchmarks/LoopMin: one thread on epoll, the ceiling of an nginx-shaped proxy in .NET) speaks HTTP/1.1
# GET only, plain and over TLS 1.3 (.NET's SslStream driven from the loop); ask for it in TARGETS.
LOOP_SCENARIOS = {"h1-ka", "h1-close", "h1-16k", "h1-rate", "https-ka"}
# As the image sets them (docs/alb.md#the-runtimes-tier-up-settings).
DOTNET_ENV = {"DOTNET_TC_DelaySingleProcMultiplier": "1", "DOTNET_TC_CallCountThreshold": "1000"}


def start_all():
    start("origin", ["nginx", "-c", str(work / "origin.conf")], LOAD_CPU)
    wait_port(ORIGIN)
    def command(base, http, https, admin):
        alb_args = ["serve", "--manifests", str(work / "manifests"),
                    "--http", f"127.0.0.1:{http}", "--https", f"127.0.0.1:{https}", "--admin", f"127.0.0.1:{admin}",
                    "--default-ssl-certificate", "bench/bench-tls", "--access-log", "off", "--log-level", "warning"]
        return {
            "direct": ["nginx", "-c", str(work / "direct.conf")],
            "nginx": ["nginx", "-c", str(work / "nginx.conf")],
            "haproxy": ["haproxy", "-f", str(work / "haproxy.cfg")],
            "yarp-min": ["dotnet", str(ROOT / "benchmarks/YarpMin/bin/Release/net10.0/yarp-min.dll"), str(http), str(https),
                         str(work / "cert.pem"), str(work / "key.pem"), f"http://127.0.0.1:{ORIGIN}"],
            "loop-min": ["dotnet", str(ROOT / "benchmarks/LoopMin/bin/Release/net10.0/loop-min.dll"), str(http), str(https), f"127.0.0.1:{ORIGIN}",
                         str(work / "cert.pem"), str(work / "key.pem")],
            "alb": ["dotnet", str(ROOT / "src/Alb/Alb/bin/Release/net10.0/alb.dll")] + alb_args,
            "alb-bin": [ALB_BIN] + alb_args,
        }[base]
    idle = {}
    for t in TARGETS:
        base, _, knobs = t.partition(":")
        env = dict(kv.split("=", 1) for kv in knobs.split("+")) if knobs else {}
        if base in DOTNET_TARGETS:
            env = {**DOTNET_ENV, **env}
        start(t, command(base, PORTS[t][0], PORTS[t][1], PORTS[t][1] + 1), PROXY_CPU, env)
        wait_port(PORTS[t][0])
        wait_port(PORTS[t][1])
        time.sleep(2)
        idle[t] = mem_kib(procs[t].pid, "VmRSS")
    return idle


def parse_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        raise SystemExit(f"cannot read a latency from {text!r}")
    v, unit = float(m.group(1)), m.group(2)
    return {"us": v / 1000, "ms": v, "s": v * 1000, "m": v * 60000}[unit]


def run_wrk(url, extra, seconds):
    out = sh(["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c64", f"-d{seconds}s", "--latency"] + extra + [url]).stdout
    if "50%" not in out:
        raise SystemExit(f"wrk printed no latency distribution for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = sum(int(x) for x in socket_errors.groups()) if socket_errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, errors + (int(non2xx.group(1)) if non2xx else 0)


def run_h2load(url, extra, seconds):
    log = work / "h2load.log"
    out = sh(["taskset", "-c", LOAD_CPU, "h2load", "-t1", f"-D{seconds}", f"--log-file={log}"] + extra + [url]).stdout
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    m = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored", out)
    lat = sorted(int(l.split("\t")[2]) for l in log.read_text().splitlines() if l.count("\t") >= 2)
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000 if lat else float("nan")
    return rps, pct(0.50), pct(0.99), int(m.group(1)) + int(m.group(2))


def run_hey(url, seconds):
    """Fixed offered rate: 16 keep-alive workers, each paced to RATE/16 req/s; latency is measured per request."""
    out = sh(["taskset", "-c", LOAD_CPU, "hey", "-z", f"{seconds}s", "-c", "16", "-q", str(RATE // 16), url]).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = lambda q: float(re.search(rf"{q}% in ([\d.]+) secs", out).group(1)) * 1000
    ok = sum(int(n) for n in re.findall(r"\[200\]\s+(\d+) responses", out))
    total = sum(int(n) for n in re.findall(r"\[\d+\]\s+(\d+) responses", out))
    errors = total - ok + sum(int(n) for n in re.findall(r"\[(\d+)\]\t", out.split("Error distribution:")[1])) if "Error distribution:" in out else total - ok
    return rps, pct(50), pct(99), errors


def serves_annotated(target):
    return ANNOTATED and target.partition(":")[0] in ANN_BASES


def runs(sc, target):
    """Whether a cell is measured: annotated scenarios only on the targets that serve the annotated table."""
    if target.partition(":")[0] == "loop-min":
        return sc in LOOP_SCENARIOS
    if sc in auth.SCENARIOS:
        return target.partition(":")[0] in (("alb", "alb-bin") if sc in auth.ALB_ONLY else auth.AUTH_BASES)
    return not sc.endswith("-ann") or serves_annotated(target)


def scenario(name, target, seconds):
    http, https = PORTS[target]
    if name in auth.SCENARIOS:
        path, extra = auth.wrk_args(name)
        return run_wrk(f"http://127.0.0.1:{http}{path}", extra, seconds)
    if name == "h1-ka-ann":
        return run_wrk(f"http://127.0.0.1:{http}{ANN_PATH}", ["-H", f"Host: {ANN_HOST}", "-H", f"Origin: {ANN_ORIGIN}"], seconds)
    if name == "https-ka-ann":
        return run_wrk(f"https://127.0.0.1:{https}{ANN_PATH}", ["-H", f"Host: {ANN_HOST}", "-H", f"Origin: {ANN_ORIGIN}"], seconds)
    if name == "h1-ka":
        return run_wrk(f"http://127.0.0.1:{http}/ok", [], seconds)
    if name == "h1-close":
        return run_wrk(f"http://127.0.0.1:{http}/ok", ["-H", "Connection: close"], seconds)
    if name == "h1-16k":
        return run_wrk(f"http://127.0.0.1:{http}/16k", [], seconds)
    if name == "https-ka":
        return run_wrk(f"https://127.0.0.1:{https}/ok", [], seconds)
    if name == "https-close":  # opt-in (SCENARIOS=https-close): a TLS handshake per request
        return run_wrk(f"https://127.0.0.1:{https}/ok", ["-H", "Connection: close"], seconds)
    if name == "h2-tls":
        return run_h2load(f"https://127.0.0.1:{https}/ok", ["-c16", "-m10"], seconds)
    if name == "h1-rate":
        return run_hey(f"http://127.0.0.1:{http}/ok", seconds)
    raise SystemExit(f"unknown scenario {name}")


def main():
    for tool in ["nginx", "haproxy", "wrk", "h2load", "hey", "taskset", "openssl", "dotnet"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run benchmarks/run.sh, which installs it")
    write_configs()
    idle = start_all()
    print(f"work dir {work}; targets {TARGETS}; {REPS} x {DURATION}s; proxy on CPU{PROXY_CPU}, wrk/h2load + origin on CPU{LOAD_CPU}", flush=True)
    if ANNOTATED:
        print(f"annotated table: {ANN_INGRESSES} Ingresses; load on http(s)://{ANN_HOST}{ANN_PATH} with Origin: {ANN_ORIGIN}", flush=True)
        for t in TARGETS:
            if serves_annotated(t):
                check_annotated(t, PORTS[t][0])
    if AUTH:
        for t in TARGETS:
            if runs(auth.SCENARIOS[0], t):
                auth.check(PORTS[t][0], t)
    for t in TARGETS:
        scenario("h1-ka", t, INITIAL_WARMUP)
    # (scenario, target) -> list of (rps, p50, p99, errors, proxy_cpu %, lg_cpu %, proxy CPU µs per request)
    results = {}
    def measure(rep, sc, t):
        if rep == 0:
            scenario(sc, t, WARMUP)
        before, own_before = cpu_times(), proc_cpu_seconds(procs[t].pid)
        r = scenario(sc, t, DURATION)
        after, own_after = cpu_times(), proc_cpu_seconds(procs[t].pid)
        # The proxy's own CPU time per request: unlike req/s, not moved by other work on its CPU or by steal.
        per_request = 1e6 * (own_after - own_before) / max(1.0, r[0] * DURATION)
        results.setdefault((sc, t), []).append(r + (busy(before, after, PROXY_CPU), busy(before, after, LOAD_CPU), per_request))
        print(f"rep {rep + 1} {sc:9} {t:24} {r[0]:10.0f} req/s p50 {r[1]:6.2f} ms p99 {r[2]:6.2f} ms errors {r[3]} "
              f"CPU {per_request:6.1f} µs/req", flush=True)

    for rep in range(REPS):
        # Each rep starts the target order one place further on: measured 2026-12-06, the second of two alb targets
        # gained 2-15 % req/s over the first whichever setting it had (docs/performance.md), so a fixed order
        # favours one target; rotated, each holds each place once in len(TARGETS) reps.
        order = TARGETS[rep % len(TARGETS):] + TARGETS[:rep % len(TARGETS)]
        for sc in [s for s in SCENARIOS if s not in auth.SCENARIOS]:
            for t in [t for t in order if runs(sc, t)]:
                measure(rep, sc, t)
                if sc == "h1-ka" and AUTH:
                    # The auth cells run right after the same target's plain cell, then the plain cell again: the
                    # report compares each auth cell with the mean of the two plain cells around it (drift cancelled).
                    for a in [a for a in auth.SCENARIOS if runs(a, t)]:
                        measure(rep, a, t)
    peak = {t: mem_kib(procs[t].pid, "VmHWM") for t in TARGETS}
    report(results, idle, peak)


def ratio(results, sc, t, ref, i=0):
    if (sc, ref) not in results:
        return float("nan")
    return statistics.median(a[i] / b[i] for a, b in zip(results[(sc, t)], results[(sc, ref)]) if b[i])


def report(results, idle, peak):
    lines = ["", f"| scenario | target | req/s | p50 ms | p99 ms | errors | vs nginx | vs yarp-min | proxy CPU % | lg CPU % |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for sc in SCENARIOS:
        for t in [t for t in TARGETS if (sc, t) in results]:
            cell = results[(sc, t)]
            med = lambda i: statistics.median(r[i] for r in cell)
            lines.append(f"| {sc} | {t} | {med(0):,.0f} | {med(1):.2f} | {med(2):.2f} | {sum(r[3] for r in cell)} | "
                         f"{ratio(results, sc, t, 'nginx'):.2f} | {ratio(results, sc, t, 'yarp-min'):.2f} | {med(4):.0f} | {med(5):.0f} |")
    lines += ["", "| target | idle RSS MiB | peak RSS MiB |", "|---|---:|---:|"]
    lines += [f"| {t} | {idle[t] / 1024:.1f} | {peak[t] / 1024:.1f} |" for t in TARGETS]
    if ANN_SCENARIOS and (ANN_SCENARIOS[0], "nginx") in results:
        lines += ["", f"Annotated route ({ANN_INGRESSES} annotated Ingresses; {ANN_HOST}{ANN_PATH}, Origin {ANN_ORIGIN}) against the plain "
                  "route. Ratios are per repetition, then the median; target: vs nginx annotated >= 0.90 x vs nginx plain.", "",
                  "| target | scenario | req/s plain | req/s annotated | annotated / plain req/s | vs nginx plain | vs nginx annotated | "
                  "annotated ratio / plain ratio | target |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
        for ann in ANN_SCENARIOS:
            plain = ann[:-4]
            for t in [t for t in TARGETS if (ann, t) in results]:
                a, p = results[(ann, t)], results[(plain, t)]
                own = statistics.median(x[0] / y[0] for x, y in zip(a, p) if y[0])
                vs_plain, vs_ann = ratio(results, plain, t, "nginx"), ratio(results, ann, t, "nginx")
                rel = statistics.median((x[0] / n[0]) / (y[0] / m[0]) for x, y, n, m in
                                        zip(a, p, results[(ann, "nginx")], results[(plain, "nginx")]) if n[0] and m[0] and y[0])
                verdict = "-" if t == "nginx" else ("met" if rel >= 0.90 else "MISSED")
                lines.append(f"| {t} | {plain} / {ann} | {statistics.median(x[0] for x in p):,.0f} | {statistics.median(x[0] for x in a):,.0f} | "
                             f"{own:.2f} | {vs_plain:.2f} | {vs_ann:.2f} | {rel:.2f} | {verdict} |")
    lines += auth.report(results, TARGETS)
    text = "\n".join(lines)
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"load-{stamp}.md").write_text(text + "\n")
    (out / f"load-{stamp}.json").write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in results.items()}, indent=1))
    print(f"\nwritten to benchmarks/results/load-{stamp}.md")


def stop_all(*_):
    for p in procs.values():
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs.values():
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main()
    finally:
        stop_all()
