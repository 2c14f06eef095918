#!/usr/bin/env python3
"""Failover time of vipd and keepalived, side by side in one run, in a network-namespace lab (root needed).

For each daemon and advert interval: three nodes (priorities 150/100/50) elect node 1; then node 1 is killed
(kill -9) or stopped (SIGTERM) at a random phase of the advert interval, and the time until the VIP answers ARP
at node 2 is measured by an observer on the bridge (observer.py: an ARP request for the VIP every millisecond).
The observer also times the adverts on the wire, so each stop is split into its steps: signal to node 1's
priority-0 advert (SIGTERM), to node 2's first advert as master, to node 2's first ARP answer. Each cell: RUNS runs;
min/median/p95/max in ms. CPU: each daemon's user+system time over IDLE_SECONDS in steady state, as a share of one
core.

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
CELLS = os.environ.get("CELLS", "vipd:1s,keepalived:1s,vipd:100ms,keepalived:100ms,vipd:20ms").split(",")
MODES = os.environ.get("MODES", "kill,term").split(",")
VIPD = ["dotnet", os.environ.get("VIPD_DLL", str(ROOT / "src/VipDaemon/VipDaemon/bin/Release/net10.0/vipd.dll"))]
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
    if daemon == "vipd":
        conf = work / f"vipd{node}.yaml"
        conf.write_text(f"admin: 127.0.0.1:9105\ninstances:\n  - {{name: VI_1, interface: eth0, vrid: 51, version: 3, priority: {priority}, "
                        f"advertInterval: {interval}, addresses: [192.0.2.100/32]}}\n")
        cmd = VIPD + ["run", str(conf), "--log-level", "warning"]
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


def cpu_seconds(pid):
    """User + system time of the process and its children (keepalived's VRRP work happens in a child)."""
    total = 0
    for p in tree(pid):
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except FileNotFoundError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


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
    """Returns (failover ms per run, CPU % per node, step medians)."""
    seconds = float(interval[:-2]) / 1000 if interval.endswith("ms") else float(interval[:-1])
    results, cpu, steps = [], {}, {"prio0": [], "advert": []}
    procs = {i: start(daemon, i, p, interval) for i, p in ((1, 150), (2, 100), (3, 50))}
    if not wait(lambda: has_vip(1) and not has_vip(2), 10 + 5 * seconds):
        raise SystemExit(f"{daemon} {interval}: node 1 never became the only master")
    time.sleep(WARMUP_SECONDS)
    before = {i: cpu_seconds(daemon_pid(p)) for i, p in procs.items()}
    time.sleep(IDLE_SECONDS)
    cpu = {i: 100 * (cpu_seconds(daemon_pid(p)) - before[i]) / IDLE_SECONDS for i, p in procs.items()}
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
    median = lambda v: f"{statistics.median(v):.0f}" if v else "-"
    return results, cpu, (median(steps["prio0"]), median(steps["advert"]))


def main():
    if os.geteuid() != 0:
        raise SystemExit("failover.py needs root (network namespaces)")
    for tool in ["ip", "keepalived", "dotnet"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run benchmarks/run.sh vrrp, which installs it")
    lab_up()
    rows = []
    try:
        for c in CELLS:
            daemon, interval = c.split(":")
            for mode in MODES:
                ms, cpu, steps = cell(daemon, interval, mode)
                ms.sort()
                p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
                row = (daemon, interval, mode, ms[0], statistics.median(ms), p95, ms[-1], cpu[1], max(cpu[2], cpu[3]), *steps)
                rows.append(row)
                print(f"{daemon:10} {interval:6} {mode:4}  min {ms[0]:7.1f}  median {row[4]:7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f} ms   "
                      f"CPU master {cpu[1]:.2f} %  backup {row[8]:.2f} %  prio-0 advert {steps[0]} ms  new master's advert {steps[1]} ms", flush=True)
    finally:
        lab_down()
    lines = ["", f"| daemon | advert interval | failure | min ms | median ms | p95 ms | max ms | CPU master % | CPU backup % | median ms to prio-0 advert | median ms to new master's advert |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.0f} | {r[4]:.0f} | {r[5]:.0f} | {r[6]:.0f} | {r[7]:.2f} | {r[8]:.2f} | {r[9]} | {r[10]} |" for r in rows]
    text = "\n".join(lines) + (f"\n\n{RUNS} runs per row; failure at a random phase of the interval; times from the signal until node 2 answers ARP for the VIP "
                               "(an ARP request every 1 ms from the bridge); heal: from the join until node 2 has no VIP and the observer's ARP entry is node 1's MAC.\n")
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"failover-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(text)


if __name__ == "__main__":
    main()
