#!/usr/bin/env python3
"""Which threads held the CPUs while alb's slowest requests were in flight.

Run the cluster benchmark with alb's access log and the scheduler recorded, then read both:

    ACCESS_LOG=/tmp/access.log PERF_SCHED=/tmp/sched.data PERF_SCHED_ALL=1 benchmarks/run.sh cluster
    perf sched timehist -i /tmp/sched.data > /tmp/timehist.txt
    python3 benchmarks/ClusterScale/blame.py /tmp/timehist.txt /tmp/access.log [PATH] [N]

PATH is the probe's path (/p1), N how many of the slowest requests to list (20). perf records with CLOCK_MONOTONIC
(`-k mono`) and the access log stamps each request's end in UTC: the two are lined up with the offset between the
clocks now, so run this on the same machine without a clock step in between. For each slow request it prints how
long each thread (by CPU) ran during the request; `<idle>` on alb's CPU means alb was waiting on the network (the
origin, the client), a thread of alb's own there means the request waited for the CPU.
"""
import collections
import datetime
import json
import re
import sys
import time

ROW = re.compile(r'\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)(?:\[(\d+)/?(\d*)\])?\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')


def main():
    timehist, access_log = sys.argv[1], sys.argv[2]
    path = sys.argv[3] if len(sys.argv) > 3 else '/p1'
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    offset = time.time() - time.clock_gettime(time.CLOCK_MONOTONIC)

    slices = []  # (start, end, cpu, thread name): one run of a thread on a CPU
    for line in open(timehist).read().splitlines()[3:]:
        m = ROW.match(line)
        if m:
            end, run = float(m.group(1)), float(m.group(8)) / 1000
            slices.append((end - run, end, int(m.group(2)), m.group(3).strip()))
    if not slices:
        sys.exit(f'{timehist}: no rows (is it the output of perf sched timehist?)')
    first, last = slices[0][0], slices[-1][1]

    requests = []  # (start, end, ms) in CLOCK_MONOTONIC seconds
    for line in open(access_log):
        entry = json.loads(line)
        if entry['path'] != path:
            continue
        end = datetime.datetime.fromisoformat(entry['time']).timestamp() - offset
        start = end - entry['duration']
        if first < start and end < last:
            requests.append((start, end, entry['duration'] * 1000))
    if not requests:
        sys.exit(f'no request to {path} inside the recording ({last - first:.1f} s)')

    durations = sorted(r[2] for r in requests)
    n = len(durations)
    print(f'{n} requests to {path} in the {last - first:.1f} s recorded; alb\'s own duration p50 {durations[n // 2]:.2f}, '
          f'p90 {durations[int(n * 0.9)]:.2f}, p99 {durations[int(n * 0.99)]:.2f}, max {durations[-1]:.2f} ms')
    total = collections.defaultdict(float)
    for start, end, ms in sorted(requests, key=lambda r: -r[2])[:count]:
        held = collections.defaultdict(float)
        for s, e, cpu, name in slices:
            if e > start and s < end:
                held[f'cpu{cpu} {name}'] += (min(e, end) - max(s, start)) * 1000
        for k, v in held.items():
            total[k] += v
        print(f'{ms:6.2f} ms: ' + ', '.join(f'{k} {v:.1f}' for k, v in sorted(held.items(), key=lambda x: -x[1]) if v >= 0.3))
    print(f'over these {min(count, n)}: ' + ', '.join(f'{k} {v:.1f} ms' for k, v in sorted(total.items(), key=lambda x: -x[1])[:12]))


if __name__ == '__main__':
    main()
