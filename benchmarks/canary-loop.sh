#!/usr/bin/env bash
# A canary route (canary-weight 20 and canary-by-header) on alb's own loops against the same route through Kestrel
# (ALB_FAST_H1=0, where every canary route went before canaries ran on the loops): CPU µs per request and req/s,
# alternated REPS times (default 3), medians. nginx answers as both backends; alb on CPU1, nginx and wrk on CPU0.
# Fails if a request is not answered 2xx, if the loop hands the route over, or if neither backend got requests.
# Opt-in; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
for tool in wrk nginx taskset curl; do
  command -v "$tool" >/dev/null || { echo "canary-loop: $tool is missing (benchmarks/run.sh installs the tools)" >&2; exit 2; }
done

dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/m"
cat > "$work/origin.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  log_format port \$server_port;
  access_log $work/access.log port;
  server { listen 127.0.0.1:19301; location / { return 200 "main\n"; } }
  server { listen 127.0.0.1:19302; location / { return 200 "canary\n"; } }
}
EOF
backend() {
  cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: default}
spec: {ports: [{port: 80, targetPort: $2}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-1, namespace: default, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{port: $2}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
EOF
}
{
  backend main 19301
  backend canary 19302
  cat <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: default}
spec:
  rules: [{host: app.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: main, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: canary
  namespace: default
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "20", nginx.ingress.kubernetes.io/canary-by-header: X-Canary}
spec:
  rules: [{host: app.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: canary, port: {number: 80}}}}]}}]
EOF
} > "$work/m/all.yaml"

taskset -c 0 nginx -c "$work/origin.conf" &
pids+=($!)
sleep 1
results=()
for rep in $(seq "$REPS"); do
  for fast in 1 0; do
    port=$((19310 + fast))
    ALB_FAST_H1=$fast DOTNET_TC_DelaySingleProcMultiplier=1 DOTNET_TC_CallCountThreshold=1000 taskset -c 1 \
      dotnet src/Alb/Alb/bin/Release/net10.0/alb.dll serve --manifests "$work/m" --watch-ingress-without-class \
      --http 127.0.0.1:$port --https 127.0.0.1:$((port + 20)) --admin 127.0.0.1:$((port + 40)) --access-log off --log-level warning &
    alb=$!
    pids+=($alb)
    for _ in $(seq 100); do curl -fs -o /dev/null -H 'Host: app.example.com' http://127.0.0.1:$port/ && break; sleep 0.2; done
    taskset -c 0 wrk -t1 -c64 -d12s -H 'Host: app.example.com' http://127.0.0.1:$port/ >/dev/null   # warm-up
    t0=$(awk '{print $14 + $15}' /proc/$alb/stat)
    out=$(taskset -c 0 wrk -t1 -c64 -d8s -H 'Host: app.example.com' http://127.0.0.1:$port/)
    t1=$(awk '{print $14 + $15}' /proc/$alb/stat)
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    if grep -q 'Non-2xx' <<<"$out"; then echo "canary-loop: answers other than 2xx:" >&2; echo "$out" >&2; exit 1; fi
    handed=$(curl -fs http://127.0.0.1:$((port + 40))/metrics | awk '/^alb_fast_handover_total\{reason="route"\}/ {print $2}')
    if [ "$fast" = 1 ] && [ "${handed:-0}" != 0 ]; then echo "canary-loop: the loop handed the canary route over ($handed)" >&2; exit 1; fi
    cpu=$(python3 -c "print(round(($t1 - $t0) * 10000 / $requests, 1))")
    echo "rep $rep ALB_FAST_H1=$fast: $rps req/s, $cpu µs CPU per request"
    results+=("$fast $rps $cpu")
    kill $alb; wait $alb 2>/dev/null || true
  done
done
main=$(grep -c '^19301$' "$work/access.log" || true)
canary=$(grep -c '^19302$' "$work/access.log" || true)
echo "requests the primary answered: $main, the canary: $canary"
[ "$main" -gt 0 ] && [ "$canary" -gt 0 ] || { echo "canary-loop: one backend got no request" >&2; exit 1; }
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics as st
rows = [l.split() for l in sys.stdin]
for fast, name in (("1", "loop"), ("0", "Kestrel (ALB_FAST_H1=0)")):
    r = [(float(a), float(b)) for f, a, b in rows if f == fast]
    print(f"{name:24} median {st.median(x[0] for x in r):9.0f} req/s  {st.median(x[1] for x in r):5.1f} µs CPU per request")
'
