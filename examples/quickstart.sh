#!/usr/bin/env bash
# The quick start: build alb and a small echo origin, start the origin on 127.0.0.1:9001 (Service demo/web) and
# :9002 (Service demo/api) as the example EndpointSlices say, then serve examples/ on :8080 (HTTP), :8443 (HTTPS)
# and 127.0.0.1:10254 (admin). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
dotnet build -c Release -v quiet -nologo tools/echo-origin/EchoOrigin.csproj
dotnet tools/echo-origin/bin/Release/net10.0/echo-origin.dll 127.0.0.1:9001=web 127.0.0.1:9002=api &
origin=$!
trap 'kill $origin 2>/dev/null || true' EXIT INT TERM
dotnet src/Alb/Alb/bin/Release/net10.0/alb.dll serve --manifests examples "$@"
