#!/usr/bin/env bash
# A wrong-password flood on a basic-auth route (bcrypt, cost COST, default 10) while a plain route of the same alb is
# probed at a fixed rate: the loops must keep serving the plain route (its p99 beside a quiet probe's), the flood
# must be refused (401 or 503, never 200) and counted in alb_fast_access_waits_total. alb on CPU1, everything else on
# CPU0. Env: FLOOD_CONNS (64), SECONDS_FLOOD (14), RATE (100 req/s for the probe). Opt-in; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
COST=${COST:-10}
FLOOD_CONNS=${FLOOD_CONNS:-64}
SECONDS_FLOOD=${SECONDS_FLOOD:-14}
RATE=${RATE:-100}
for tool in wrk hey nginx htpasswd taskset; do
  command -v "$tool" >/dev/null || { echo "auth-flood: $tool is missing (benchmarks/run.sh installs the tools)" >&2; exit 2; }
done

dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/m"
secret=$(htpasswd -nbB -C "$COST" alice wonderland | base64 -w0)
cat > "$work/m/all.yaml" <<EOF
apiVersion: v1
kind: Service
metadata: {name: origin, namespace: flood}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: origin-1, namespace: flood, labels: {kubernetes.io/service-name: origin}}
addressType: IPv4
ports: [{name: http, port: 19401}]
endpoints: [{addresses: ["127.0.0.1"]}]
---
apiVersion: v1
kind: Secret
metadata: {name: htpasswd, namespace: flood}
data: {auth: $secret}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: basic
  namespace: flood
  annotations: {nginx.ingress.kubernetes.io/auth-type: basic, nginx.ingress.kubernetes.io/auth-secret: htpasswd}
spec:
  ingressClassName: alb
  rules:
  - host: basic.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: flood}
spec:
  ingressClassName: alb
  rules:
  - host: plain.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}]}
EOF
cat > "$work/nginx.conf" <<EOF
worker_processes 1; daemon off; error_log /dev/null; pid $work/nginx.pid;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:19401; location / { return 200 "ok\n"; } } }
EOF
taskset -c 0 nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
taskset -c 1 dotnet src/Alb/Alb/bin/Release/net10.0/alb.dll serve --manifests "$work/m" --http 127.0.0.1:19402 \
  --https 127.0.0.1:19403 --admin 127.0.0.1:19404 --access-log off --log-level warning &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:19404/readyz && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' -u alice:wonderland -H 'Host: basic.example.com' http://127.0.0.1:19402/)" = 200 ] || { echo "auth-flood: the right password was not let through" >&2; exit 1; }

probe() { taskset -c 0 hey -z 8s -q "$RATE" -c 1 -host plain.example.com http://127.0.0.1:19402/ | grep -E '50% in|99% in|\[200\]'; }
echo "plain route, quiet:"; probe
wrong=$(printf 'alice:wrong' | base64)
taskset -c 0 wrk -t1 -c"$FLOOD_CONNS" -d"${SECONDS_FLOOD}s" --timeout 5s -H 'Host: basic.example.com' -H "Authorization: Basic $wrong" \
  -s <(printf 'done = function() end\nresponse = function(status) if status == 200 then io.write("LET THROUGH\\n") end end\n') \
  http://127.0.0.1:19402/ > "$work/flood.txt" &
flood=$!
sleep 3
echo "plain route, during the flood:"; probe
wait $flood
grep -E 'requests in|Non-2xx|LET THROUGH' "$work/flood.txt" || true
curl -s http://127.0.0.1:19404/metrics | grep -E '^alb_fast_access_waits_total|^alb_fast_handover_total' || true
if grep -q 'LET THROUGH' "$work/flood.txt"; then echo "auth-flood: a wrong password was let through" >&2; exit 1; fi
