#!/usr/bin/env bash
# The long version of the reload-under-load check (the CI test runs 6 s): wrk drives keep-alive load through alb for
# DURATION seconds (default 300) while the manifest directory changes every INTERVAL seconds (default 0.2).
# Passes when wrk reports no socket error and no non-2xx answer. TLS=1: the load over HTTPS (TLS on alb's loops, wrk
# offering HTTP/1.1 only). Opt-in; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-300}
INTERVAL=${INTERVAL:-0.2}
command -v wrk >/dev/null || { echo "reload-soak: wrk is missing (apt-get install wrk)" >&2; exit 2; }

dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
dotnet build -c Release -v quiet -nologo tools/echo-origin/EchoOrigin.csproj
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

dotnet tools/echo-origin/bin/Release/net10.0/echo-origin.dll 127.0.0.1:19301=steady 127.0.0.1:19302=other &
pids+=($!)
backend() { # name port
  printf 'apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: soak}\nspec: {ports: [{name: http, port: 80}]}\n---\n' "$1"
  printf 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: %s-1, namespace: soak, labels: {kubernetes.io/service-name: %s}}\naddressType: IPv4\nports: [{name: http, port: %s}]\nendpoints: [{addresses: ["127.0.0.1"]}]\n---\n' "$1" "$1" "$2"
}
ingress() { # name host service
  printf 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: %s, namespace: soak}\nspec:\n  ingressClassName: alb\n  rules:\n  - host: %s\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: %s, port: {number: 80}}}}]}\n---\n' "$1" "$2" "$3"
}
{ backend steady 19301; backend other 19302; } > "$work/backends.yaml"
ingress load load.example.com steady > "$work/load.yaml"
ingress unrelated unrelated.example.com other > "$work/unrelated.yaml"

dotnet src/Alb/Alb/bin/Release/net10.0/alb.dll serve --manifests "$work" --http 127.0.0.1:19300 --https 127.0.0.1:19303 \
  --admin 127.0.0.1:19304 --access-log off --log-level warning &
pids+=($!)
for _ in $(seq 50); do curl -sf http://127.0.0.1:19304/readyz >/dev/null && break; sleep 0.2; done

url=http://127.0.0.1:19300/
[ "${TLS:-0}" = 1 ] && url=https://127.0.0.1:19303/
wrk -t1 -c32 -d"${DURATION}s" -H 'Host: load.example.com' "$url" > "$work/wrk.txt" &
wrk_pid=$!
changes=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  case $((changes % 4)) in
    0) ingress "extra-$changes" "extra$changes.example.com" other > "$work/extra-$((changes % 10)).yaml" ;;
    1) rm -f "$work/unrelated.yaml" ;;
    2) ingress unrelated unrelated.example.com other > "$work/unrelated.yaml" ;;
    3) { backend steady 19301; backend other 19302; } > "$work/backends.yaml.tmp" && mv "$work/backends.yaml.tmp" "$work/backends.yaml" ;;
  esac
  changes=$((changes + 1))
  sleep "$INTERVAL"
done
wait "$wrk_pid" || true
cat "$work/wrk.txt"
applied=$(curl -s http://127.0.0.1:19304/metrics | awk '/^alb_reloads_total\{result="applied"\}/ {print $2}')
echo "reload-soak: $changes directory changes, $applied configurations applied"
if grep -qE 'Socket errors|Non-2xx' "$work/wrk.txt"; then
  echo "reload-soak: FAILED (errors above)" >&2
  exit 1
fi
echo "reload-soak: passed, no failed request"
