#!/usr/bin/env python3
"""Failover time of vipd and keepalived, side by side in one run, in a network-namespace lab (root needed).

For each daemon and advert interval: three nodes (priorities 150/100/50) elect node 1; then node 1 is killed
(kill -9) or stopped (SIGTERM) at a random phase of the advert interval, and the time until the VIP answers ARP
at node 2 is measured by an observer on the bridge (observer.py: an ARP request for the VIP every millisecond).
The observer also times the adverts on the wire, so each stop is split into its steps: signal to node 1's
priority-0 advert (SIGTERM), to node 2's first advert as master, to node 2's first ARP answer. Each cell: RUNS runs;
min/median/p95/max in ms. CPU: each daemon's time on a CPU over IDLE_SECONDS in steady state (the sum of its threads'
/proc schedstat, nanoseconds; the process tree for keepalived; a thread that ends in the window is left out), as a
share of one core; RSS: VmRSS at the end of that
window (summed over keepalived's two processes).

Daemons: `vipd` runs the build's vipd.dll with `dotnet` (JIT; VIPD_DLL), `vipd-aot` the Native AOT executable named
by VIPD_AOT_BIN (benchmarks/run.sh vrrp publishes it), `keepalived` the installed one. At the end each target of
issue 15 is printed as met or not met: vipd's idle CPU at 100 ms adverts at most 2x keepalived's, RSS at most
20 MiB, SIGTERM to priority-0 advert at most 4 ms (median).

MODES=heal measures a split brain healing instead: the bridge ports of nodes 1 and 2 are isolated from each other
(`bridge link set ... isolated on`: both become master, both answer ARP), then joined again; the time is from the
join until node 2 has dropped the VIP and the observer's (the bridge's) ARP entry for the VIP points at node 1's MAC.
"""
import os, random, shutil, signal, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("RUNS", "20"))
IDLE_SECONDS = float(os.environ.get("IDLE_SECONDS", "10"))
WARMUP_SECONDS = float(os.environ.get("WARMUP_SECONDS", "15"))  # JIT tiering settles before CPU is measured
CELLS = os.environ.get("CELLS", "vipd-aot:1s,vipd:1s,keepalived:1s,vipd-aot:100ms,vipd:100ms,keepalived:100ms,vipd-aot:20ms").split(",")
MODES = os.environ.get("MODES", "kill,term").split(",")
VIPD = {"vipd": ["dotnet", os.environ.get("VIPD_DLL", str(ROOT / "src/VipDaemon/VipDaemon/bin/Release/net10.0/vipd.dll"))],
        "vipd-aot": [os.environ.get("VIPD_AOT_BIN", str(ROOT / "src/VipDaemon/VipDaemon/bin/Release/net10.0/linux-x64/publish/vipd"))]}
PREFIX = f"fb{random.randint(100, 999)}"
work = Path(tempfile.mkdtemp(prefix="vrrp-bench-"))


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True).stdout


def ns(i):
    return f"{PREFIX}n{i}" if i else f"{PREFIX}br"


def lab_up(nodes=3):
    ip("netns", "add", ns(0))
    ip("-n", ns(0), "link", "add", "br0", "address", "02:00:00:00:00:fe", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0")
    ip("-n", ns(0), "addr", "add", "192.0.2.254/24", "dev", "br0")
    ip("-n", ns(0), "link", "set", "br0", "up")
    for i in range(1, nodes + 1):
        ip("netns", "add", ns(i))
        ip("-n", ns(i), "link", "add", "eth0", "type", "veth", "peer", "name", f"veth{i}")
        ip("-n", ns(i), "link", "set", f"veth{i}", "netns", ns(0))
        ip("-n", ns(0), "link", "set", f"veth{i}", "master", "br0")
        ip("-n", ns(0), "link", "set", f"veth{i}", "up")
        ip("-n", ns(i), "addr", "add", f"192.0.2.{10 + i}/24", "dev", "eth0")
        ip("-n", ns(i), "link", "set", "eth0", "up")
        ip("-n", ns(i), "link", "set", "lo", "up")


def lab_down(nodes=3):
    for i in range(nodes + 1):
        for pid in ip("netns", "pids", ns(i), check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        ip("netns", "del", ns(i), check=False)


def has_vip(i):
    return " 192.0.2.100/" in ip("-n", ns(i), "-o", "addr", "show", "dev", "eth0")


def start(daemon, node, priority, interval):
    if daemon in VIPD:
        conf = work / f"{daemon}{node}.yaml"
        conf.write_text(f"admin: 127.0.0.1:9105\ninstances:\n  - {{name: VI_1, interface: eth0, vrid: 51, version: 3, priority: {priority}, "
                        f"advertInterval: {interval}, addresses: [192.0.2.100/32]}}\n")
        cmd = VIPD[daemon] + ["run", str(conf), "--log-level", "warning"]
    else:
        seconds = float(interval[:-2]) / 1000 if interval.endswith("ms") else float(interval[:-1])
        conf = work / f"ka{node}.conf"
        conf.write_text(f"global_defs {{\n router_id n{node}\n vrrp_version 3\n enable_script_security\n script_user root\n}}\n"
                        f"vrrp_instance VI_1 {{\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority {priority}\n advert_int {seconds}\n"
                        f" virtual_ipaddress {{\n  192.0.2.100/32 dev eth0\n }}\n}}\n")
        cmd = ["keepalived", "-n", "-l", "-D", "-G", "-P", "-f", str(conf), "-p", str(work / f"ka{node}.pid"), "-r", str(work / f"ka{node}-vrrp.pid")]
    log = open(work / f"{daemon}{node}.log", "a")
    return subprocess.Popen(["ip", "netns", "exec", ns(node)] + cmd, stdout=log, stderr=subprocess.STDOUT)


def wait(condition, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.001)
    return condition()


def tree(pid):
    children = Path(f"/proc/{pid}/task/{pid}/children")
    out = [pid]
    for child in (children.read_text().split() if children.exists() else []):
        out += tree(int(child))
    return out


def cpu_times(pid):
    """Time on a CPU of each thread of the process and its children (keepalived's VRRP work happens in a child), from
    schedstat in nanoseconds, by thread id: user+system time in /proc/PID/stat counts whole clock ticks (10 ms), too
    coarse for a daemon that runs for a few milliseconds a second."""
    times = {}
    for p in tree(pid):
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                times[int(task.name)] = int((task / "schedstat").read_text().split()[0])
        except FileNotFoundError:
            pass
    return times


def cpu_seconds(before, after):
    """Seconds on a CPU between two cpu_times: threads started in between count from zero; a thread that ended in
    between is left out (its last moments are lost, not its whole life subtracted)."""
    return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9


def rss_mib(pid):
    """VmRSS of the process and its children, MiB."""
    total = 0
    for p in tree(pid):
        try:
            total += next(int(l.split()[1]) for l in Path(f"/proc/{p}/status").read_text().splitlines() if l.startswith("VmRSS:"))
        except (FileNotFoundError, StopIteration):
            pass
    return total / 1024


def daemon_pid(process):
    return process.pid  # ip netns exec execs the command in place


def mac(i):
    out = ip("-n", ns(i), "-o", "link", "show", "dev", "eth0").split()
    return out[out.index("link/ether") + 1]


def observer_mac():
    out = ip("-n", ns(0), "neigh", "show", "192.0.2.100", "dev", "br0").split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else ""


def isolate(on):
    for i in (1, 2):
        subprocess.run(["ip", "netns", "exec", ns(0), "bridge", "link", "set", "dev", f"veth{i}", "isolated", "on" if on else "off"], check=True)


def heal_run(seconds):
    """One split brain and heal; returns ms from the join until traffic goes to node 1 alone."""
    isolate(True)
    if not wait(lambda: has_vip(1) and has_vip(2), 10 + 5 * seconds):
        raise SystemExit("no split brain: node 2 did not become master while isolated")
    # The observer talks to the VIP during the split, so it has an ARP entry (for whichever node answered).
    subprocess.run(["ip", "netns", "exec", ns(0), "bash", "-c", "echo x > /dev/udp/192.0.2.100/9"], check=False)
    time.sleep(0.2)
    node1 = mac(1)
    if observer_mac() == node1:
        # Make the interesting case certain: the observer points at the wrong node when the split heals.
        ip("-n", ns(0), "neigh", "replace", "192.0.2.100", "lladdr", mac(2), "dev", "br0", "nud", "stale")
    # Traffic keeps flowing to the VIP (a datagram every 10 ms), as it would from real clients.
    traffic = subprocess.Popen(["ip", "netns", "exec", ns(0), "bash", "-c",
                                "while :; do echo x > /dev/udp/192.0.2.100/9; sleep 0.01; done"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        isolate(False)
        if not wait(lambda: not has_vip(2) and observer_mac() == node1, 60):
            raise SystemExit(f"the split brain did not heal within 60 s (observer {observer_mac()}, node 1 {node1})")
        return (time.monotonic() - t0) * 1000
    finally:
        traffic.kill()
        traffic.wait()


class Observer:
    """observer.py in the bridge namespace; its lines are kept with their monotonic times."""

    def __init__(self):
        self.events, self.lock = [], threading.Lock()
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns(0), sys.executable, str(Path(__file__).with_name("observer.py")), "br0",
                                      "192.0.2.100", "192.0.2.254"], stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.events.append(line.split())

    def first(self, after, kind, match):
        """Time of the first event of kind after `after` whose fields satisfy match, or None."""
        with self.lock:
            for e in self.events:
                if e[0] == kind and float(e[-1]) > after and match(e):
                    return float(e[-1])
        return None

    def close(self):
        self.proc.kill()
        self.proc.wait()


def cell(daemon, interval, mode):
    """Returns (failover ms per run, CPU % per node, RSS MiB per node, step medians)."""
    seconds = float(interval[:-2]) / 1000 if interval.endswith("ms") else float(interval[:-1])
    results, cpu, steps = [], {}, {"prio0": [], "advert": []}
    procs = {i: start(daemon, i, p, interval) for i, p in ((1, 150), (2, 100), (3, 50))}
    if not wait(lambda: has_vip(1) and not has_vip(2), 10 + 5 * seconds):
        raise SystemExit(f"{daemon} {interval}: node 1 never became the only master")
    time.sleep(WARMUP_SECONDS)
    before = {i: cpu_times(daemon_pid(p)) for i, p in procs.items()}
    time.sleep(IDLE_SECONDS)
    cpu = {i: 100 * cpu_seconds(before[i], cpu_times(daemon_pid(p))) / IDLE_SECONDS for i, p in procs.items()}
    rss = {i: rss_mib(daemon_pid(p)) for i, p in procs.items()}
    observer = Observer() if mode != "heal" else None
    node2 = mac(2)
    try:
        for _ in range(RUNS):
            time.sleep(random.uniform(0, seconds))  # a random phase of the advert interval
            if mode == "heal":
                results.append(heal_run(seconds))
                time.sleep(0.5 + seconds)
                continue
            victims = [daemon_pid(procs[1])]
            if daemon == "keepalived" and mode == "kill":
                # The VRRP child outlives a killed parent, and killed second it may still send priority 0 when the
                # parent dies (seen: a 612 ms "crash" at 1 s adverts): the child goes first.
                victims.insert(0, int((work / "ka1-vrrp.pid").read_text()))
            t0 = time.monotonic()
            for pid in victims:
                os.kill(pid, signal.SIGKILL if mode == "kill" else signal.SIGTERM)
            if not wait(lambda: observer.first(t0, "arp", lambda e: e[1] == node2), 10 + 5 * seconds):
                raise SystemExit(f"{daemon} {interval} {mode}: node 2 never answered ARP for the VIP; logs in {work}")
            results.append((observer.first(t0, "arp", lambda e: e[1] == node2) - t0) * 1000)
            prio0 = observer.first(t0, "vrrp", lambda e: e[1] == "192.0.2.11" and e[3] == "0")
            advert = observer.first(t0, "vrrp", lambda e: e[1] == "192.0.2.12")
            if prio0 is not None:
                steps["prio0"].append((prio0 - t0) * 1000)
            if advert is not None:
                steps["advert"].append((advert - t0) * 1000)
            procs[1].wait(10)
            if daemon == "keepalived" and mode == "kill":
                for stale in ("ka1.pid", "ka1-vrrp.pid"):  # a killed keepalived leaves its pid files; an init system clears them
                    (work / stale).unlink(missing_ok=True)
            if mode == "kill" and has_vip(1):
                ip("-n", ns(1), "addr", "del", "192.0.2.100/32", "dev", "eth0", check=False)  # what vipd cleanup / a restart does
            procs[1] = start(daemon, 1, 150, interval)
            if not wait(lambda: has_vip(1) and not has_vip(2), 10 + 6 * seconds):
                raise SystemExit(f"{daemon} {interval} {mode}: node 1 did not preempt back; logs in {work}")
            time.sleep(0.5 + seconds)
    finally:
        if observer:
            observer.close()
    for p in procs.values():
        p.send_signal(signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    median = lambda v: f"{statistics.median(v):.1f}" if v else "-"
    return results, cpu, rss, (median(steps["prio0"]), median(steps["advert"]))


def main():
    if os.geteuid() != 0:
        raise SystemExit("failover.py needs root (network namespaces)")
    for tool in ["ip", "keepalived", "dotnet"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run benchmarks/run.sh vrrp, which installs it")
    for daemon in {c.split(":")[0] for c in CELLS} & VIPD.keys():
        if not Path(VIPD[daemon][-1]).exists():
            raise SystemExit(f"{daemon}: {VIPD[daemon][-1]} is missing: run benchmarks/run.sh vrrp, which builds and publishes it")
    lab_up()
    rows = []
    try:
        for c in CELLS:
            daemon, interval = c.split(":")
            for mode in MODES:
                ms, cpu, rss, steps = cell(daemon, interval, mode)
                ms.sort()
                p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
                build = {"vipd": "JIT", "vipd-aot": "AOT"}.get(daemon, "-")
                row = (daemon, build, interval, mode, ms[0], statistics.median(ms), p95, ms[-1], cpu[1], max(cpu[2], cpu[3]),
                       rss[1], max(rss[2], rss[3]), *steps)
                rows.append(row)
                print(f"{daemon:10} {interval:6} {mode:4}  min {ms[0]:7.1f}  median {row[5]:7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f} ms   "
                      f"CPU master {cpu[1]:.2f} %  backup {row[9]:.2f} %  RSS master {rss[1]:.1f} MiB  backup {row[11]:.1f} MiB  "
                      f"prio-0 advert {steps[0]} ms  new master's advert {steps[1]} ms", flush=True)
    finally:
        lab_down()
    lines = ["", "| daemon | build | advert interval | failure | min ms | median ms | p95 ms | max ms | CPU master % | CPU backup % | RSS master MiB | RSS backup MiB | median ms to prio-0 advert | median ms to new master's advert |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.0f} | {r[5]:.0f} | {r[6]:.0f} | {r[7]:.0f} | {r[8]:.2f} | {r[9]:.2f} | {r[10]:.1f} | {r[11]:.1f} | {r[12]} | {r[13]} |" for r in rows]
    text = "\n".join(lines) + (f"\n\n{RUNS} runs per row; failure at a random phase of the interval; times from the signal until node 2 answers ARP for the VIP "
                               "(an ARP request every 1 ms from the bridge); heal: from the join until node 2 has no VIP and the observer's ARP entry is node 1's MAC. "
                               f"CPU: time on a CPU over {IDLE_SECONDS:g} s after {WARMUP_SECONDS:g} s of warm-up, % of one core; RSS: VmRSS at the end of it.\n")
    text += "\n" + "\n".join(targets(rows)) + "\n"
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"failover-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(text)


def targets(rows):
    """Issue 15's targets for each vipd build measured, against keepalived's rows of the same run."""
    out = ["Targets (issue 15):", ""]
    mark = lambda ok: "met" if ok else "NOT met"
    for daemon in dict.fromkeys(r[0] for r in rows if r[0] in VIPD):
        mine = [r for r in rows if r[0] == daemon]
        for interval in dict.fromkeys(r[2] for r in mine):
            peers = [r for r in rows if r[0] == "keepalived" and r[2] == interval]
            if interval != "100ms":
                continue
            if not peers:
                out.append(f"* {daemon} {interval}: CPU <= 2x keepalived's: no keepalived cell at {interval} in this run")
                continue
            for column, role in ((8, "master"), (9, "backup")):
                me, ka = statistics.mean(r[column] for r in mine if r[2] == interval), statistics.mean(r[column] for r in peers)
                out.append(f"* {daemon} {interval} CPU as {role} <= 2x keepalived's: {me:.3f} % vs {ka:.3f} % "
                           f"({me / ka:.1f}x): {mark(me <= 2 * ka)}" if ka > 0 else
                           f"* {daemon} {interval} CPU as {role} <= 2x keepalived's: {me:.3f} % vs {ka:.3f} %: {mark(me <= 0)}")
        rss = max(max(r[10], r[11]) for r in mine)
        out.append(f"* {daemon} RSS <= 20 MiB: largest {rss:.1f} MiB: {mark(rss <= 20)}")
        stops = [float(r[12]) for r in mine if r[3] == "term" and r[12] != "-"]
        if stops:
            out.append(f"* {daemon} SIGTERM to priority-0 advert <= 4 ms (median): {', '.join(f'{v:.1f}' for v in stops)} ms: {mark(max(stops) <= 4)}")
    return out


if __name__ == "__main__":
    main()
