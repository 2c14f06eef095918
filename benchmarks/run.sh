#!/usr/bin/env bash
# One command for every benchmark (not run in CI):
#   benchmarks/run.sh            load comparison (alb, nginx, HAProxy, minimal YARP) + BenchmarkDotNet micro-benchmarks
#   benchmarks/run.sh load       only the load comparison      (env: REPS, DURATION, TARGETS, SCENARIOS, RATE,
#                                ANNOTATED=1 (default; 0 = plain table only), ANN_SCENARIOS, ANN_INGRESSES; target
#                                alb-bin with ALB_BIN=EXECUTABLE: another build of alb beside the JIT one)
#   benchmarks/run.sh micro      only the micro-benchmarks
#   benchmarks/run.sh vrrp       vipd (AOT and JIT) vs keepalived: failover times, idle CPU and RSS (root; env: RUNS,
#                                CELLS, MODES, IDLE_SECONDS, WARMUP_SECONDS)
#   benchmarks/run.sh etcd       etcd-backup vs etcdctl snapshot save (+ upload) (env: SIZES_MIB, REPS), and etcd-backup
#                                mirror vs etcdctl make-mirror (env: MIRROR_MIB, VALUE_KIB, RATE, SECONDS);
#                                PARTS=snapshot or PARTS=mirror runs one of them (default both)
#   benchmarks/run.sh cluster    alb against a test API server holding N Ingresses: start to ready, idle RSS, 100 changes
#                                served one by one, RSS after them (env: INGRESSES=10000, REPS=3, CHANGES=100; AOT=1: the
#                                native AOT build instead of the image's; TIMELINE=1: alb's log up to ready;
#                                SLOWEST=N, ALB_ENV, ACCESS_LOG=PATH, PERF_SCHED=PATH [PERF_SCHED_ALL=1]: see benchmarks/ClusterScale/blame.py)
#   benchmarks/run.sh profile    where alb's CPU goes per request: perf profile of alb under h1-ka, by part (root; env:
#                                SECONDS_PROFILED=10, WARMUP=15, ANNOTATED, HOST_HEADER; ANN=1: the annotated request;
#                                TARGETS=alb-bin ALB_BIN=EXECUTABLE: another build, e.g. the native AOT one)
#   benchmarks/run.sh startup    alb published two ways, JIT and ReadyToRun (framework-dependent): start to ready, CPU until
#                                ready, RSS, CPU per request, alternating cells (env: REPS=5, WARM=20, MEASURE=8; AOT=1 adds
#                                the native AOT build, IMAGE=1 the container image's: self-contained, trimmed, ReadyToRun)
#   benchmarks/run.sh memory     where alb's idle RSS goes: smaps by mapping and kind, threads, GC heap, on the 501-Ingress
#                                table and an empty directory (env: IDLE_WAIT=3, TOP=25; benchmarks/memory/breakdown.py
#                                cells ... compares builds and runtime settings)
#   benchmarks/run.sh syscalls   system calls per request, nginx beside alb, under h1-ka (root; strace; env: SECONDS_TRACED)
#   benchmarks/run.sh fuzz       SharpFuzz + afl-fuzz over alb's annotation parsers, >= 10^6 inputs (env: EXECS, MODE=mutate; TARGET=http1: the lean client's response parser instead)
# Installs the peers (Debian packages) first. Results land in benchmarks/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

./scripts/ensure-packages.sh nginx-light haproxy wrk nghttp2-client hey openssl python3 util-linux procps keepalived apache2-utils \
  iproute2 etcd-server etcd-client curl time clang zlib1g-dev
[ "$what" != profile ] || ./scripts/ensure-packages.sh linux-perf
[ "$what" != syscalls ] || ./scripts/ensure-packages.sh strace

if [ "$what" = all ] || [ "$what" = load ]; then
  dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
  dotnet build -c Release -v quiet -nologo benchmarks/YarpMin/YarpMin.csproj
  dotnet build -c Release -v quiet -nologo benchmarks/LoopMin/LoopMin.csproj
  python3 benchmarks/load/compare.py
fi
if [ "$what" = all ] || [ "$what" = micro ]; then
  dotnet run -c Release --project benchmarks/Alb.Benchmarks -- --filter '*' --artifacts benchmarks/results/micro
fi
if [ "$what" = etcd ]; then
  [ -d tests/tools/s3server/node_modules/@20minutes/s3rver ] || npm ci --prefix tests/tools/s3server --no-audit --no-fund --loglevel=error
  case ",${PARTS:-snapshot,mirror}," in *,snapshot,*) python3 benchmarks/etcd/compare.py ;; esac
  case ",${PARTS:-snapshot,mirror}," in *,mirror,*) python3 benchmarks/etcd/mirror.py ;; esac
fi
if [ "$what" = vrrp ]; then
  dotnet build -c Release -v quiet -nologo src/VipDaemon/VipDaemon/VipDaemon.csproj   # vipd.dll: the JIT cells
  dotnet publish -c Release -r linux-x64 -v quiet -nologo src/VipDaemon/VipDaemon/VipDaemon.csproj   # the vipd-aot cells
  python3 benchmarks/vrrp/failover.py
fi
if [ "$what" = cluster ]; then
  # alb as the image ships it: self-contained, trimmed, ReadyToRun (-p:AlbImage=true; and the image's
  # tier-up settings, set by the benchmark)
  # (AOT=1: the native AOT build instead)
  out=benchmarks/results/cluster-build
  rm -rf "$out"
  if [ "${AOT:-0}" = 1 ]; then build=-p:AlbAot=true; else build=-p:AlbImage=true; fi
  dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -r linux-x64 "$build" -o "$out"
  dotnet build -c Release -v quiet -nologo benchmarks/ClusterScale/ClusterScale.csproj
  dotnet benchmarks/ClusterScale/bin/Release/net10.0/cluster-scale.dll "$out/alb" "${INGRESSES:-10000}" "${REPS:-3}" "${CHANGES:-100}"
fi
if [ "$what" = profile ]; then
  dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
  python3 benchmarks/profile/alb.py
fi
if [ "$what" = startup ]; then
  out=benchmarks/results/startup-build
  dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -o "$out/jit"
  dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/r2r"
  if [ "${AOT:-0}" = 1 ]; then
    dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -r linux-x64 -p:AlbAot=true -o "$out/aot"
    export VARIANTS="${VARIANTS:-jit,r2r,aot}"
  fi
  if [ "${IMAGE:-0}" = 1 ]; then
    # the container image's build: self-contained, trimmed (TrimMode=partial) and ReadyToRun
    rm -rf "$out/image"
    dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -r linux-x64 -p:AlbImage=true -o "$out/image"
    export VARIANTS="${VARIANTS:-jit,r2r,image}"
  fi
  python3 benchmarks/startup/alb.py
fi
if [ "$what" = memory ]; then
  out=benchmarks/results/startup-build
  dotnet publish -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj -o "$out/jit"
  python3 benchmarks/memory/breakdown.py breakdown jit table
  python3 benchmarks/memory/breakdown.py breakdown jit empty
fi
if [ "$what" = syscalls ]; then
  dotnet build -c Release -v quiet -nologo src/Alb/Alb/Alb.csproj
  python3 benchmarks/profile/syscalls.py
fi
if [ "$what" = fuzz ]; then benchmarks/fuzz/run.sh; fi  # SharpFuzz + afl-fuzz over the annotation parsers (env: EXECS, MODE=mutate)
