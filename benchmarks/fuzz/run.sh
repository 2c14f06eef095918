#!/usr/bin/env bash
# Opt-in fuzz run of alb's annotation parsers (not run in CI; not in Edge.sln):
#   benchmarks/fuzz/run.sh            SharpFuzz + afl-fuzz until ~EXECS inputs (default 1000000)
#   MODE=mutate benchmarks/fuzz/run.sh  the coverage-less mutation driver instead (no AFL; env SEED)
#   TARGET=http1 benchmarks/fuzz/run.sh  afl-fuzz over the lean HTTP/1.1 client's response-head parser and chunked
#                                       decoder (Alb.Core/Http1; Http1Target.cs) instead of the annotation parsers
#   TARGET=http1-request benchmarks/fuzz/run.sh  the same over the request head parser of alb's own HTTP/1.1 server
#                                       (Alb.Core/Http1/RequestHeadParser; Http1RequestTarget.cs)
# env: EXECS (inputs to execute), MAX_SECONDS (time cap, default 3600), SELFTEST=1 (one seed whose mutants crash,
# proving the crash path end to end; the run then reports crashes, kept in .artifacts/selftest-crashes).
# MODE=afl builds benchmarks/fuzz (Alb.Fuzz) into benchmarks/fuzz/out, instruments that copy of Alb.Core.dll with the
# sharpfuzz tool (SharpFuzz.CommandLine 2.3.0, installed under benchmarks/fuzz/.tools), installs afl++ (Debian) and
# runs afl-fuzz on SharpFuzz's in-process fork server. The target splits each input into (annotation, value) records,
# runs AnnotationScreen, every family parser, PathRegex and the Translator over a manifest, and asserts invariants
# (Target.cs). Prints inputs executed, crashes and elapsed time; crashing inputs land in benchmarks/fuzz/crashes/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

mode=${MODE:-afl}
target=${TARGET:-annotations}
case $target in
  annotations) suffix= ;;
  http1 | http1-request) suffix=-$target; [ "$mode" = afl ] || { echo "TARGET=$target runs under afl only" >&2; exit 2; } ;;
  *) echo "TARGET must be annotations, http1 or http1-request" >&2; exit 2 ;;
esac
execs=${EXECS:-1000000}
max_seconds=${MAX_SECONDS:-3600}
assets=tests/Alb/Alb.Core.Tests/testassets/translation
out=$here/out
crashes=$here/crashes
# A self-test's crash is expected: keep it out of crashes/.
[ "${SELFTEST:-0}" = 1 ] && crashes=$here/.artifacts/selftest-crashes

if [ "$mode" = afl ]; then ./scripts/ensure-packages.sh afl++; fi
now() { date +%s%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

echo "== build (benchmarks/fuzz/out; build files under benchmarks/fuzz/.artifacts, away from src/)"
rm -rf "$out"
dotnet publish "$here/Alb.Fuzz.csproj" -c Release -o "$out" --artifacts-path "$here/.artifacts" -nologo -v quiet
mkdir -p "$here/.artifacts"
dict=$here/.artifacts/$target.dict
rm -rf "$here/seeds"

if [ "$mode" = mutate ]; then
  start=$(now)
  set +e
  timeout "$max_seconds" dotnet "$out/Alb.Fuzz.dll" mutate "$assets" "$execs" "${SEED:-1}" "$crashes"
  rc=$?
  set -e
  echo "wall time (with .NET start-up): $(seconds_since "$start") s"
  exit $rc
fi
[ "$mode" = afl ] || { echo "MODE must be afl or mutate" >&2; exit 2; }

echo "== instrument Alb.Core.dll (SharpFuzz.CommandLine 2.3.0)"
[ -x "$here/.tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$here/.tools" >/dev/null
"$here/.tools/sharpfuzz" "$out/Alb.Core.dll"

[ "${SELFTEST:-0}" = 1 ] && export ALB_FUZZ_SELFTEST=1
if [ "$target" = http1 ]; then
  echo "== seeds (valid response heads and chunked bodies, Http1Target.cs) and dictionary"
  dotnet "$out/Alb.Fuzz.dll" seeds-http1 "$here/seeds" "$dict"
elif [ "$target" = http1-request ]; then
  echo "== seeds (valid request heads, Http1RequestTarget.cs) and dictionary"
  dotnet "$out/Alb.Fuzz.dll" seeds-http1-request "$here/seeds" "$dict"
else
  echo "== seeds (every Ingress of $assets, each annotation alone, a few extra values) and dictionary"
  dotnet "$out/Alb.Fuzz.dll" seeds "$assets" "$here/seeds" "$dict"
fi

echo "== afl-fuzz: ~$execs inputs (cap ${max_seconds}s); log in benchmarks/fuzz/findings.log"
rm -rf "$here/findings"
start=$(now)
set +e
# AFL_SKIP_BIN_CHECK: the target is `dotnet`, instrumented at the IL level, not the binary. AFL_NO_AFFINITY: other
# CPU-bound work may hold the cores. Missing core dumps and CPU frequency settings do not matter to a .NET target.
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  timeout $((max_seconds + 300)) afl-fuzz -i "$here/seeds" -o "$here/findings" -x "$dict" -t 5000 -m none \
  -E "$execs" -V "$max_seconds" -- dotnet "$out/Alb.Fuzz.dll" "afl$suffix" > "$here/findings.log" 2>&1
rc=$?
set -e
elapsed=$(seconds_since "$start")
stats=$here/findings/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "afl-fuzz did not start (exit $rc); the end of its log:" >&2
  tail -30 "$here/findings.log" >&2
  echo "AFL is not usable here: MODE=mutate benchmarks/fuzz/run.sh runs the coverage-less driver instead." >&2
  exit 1
fi
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }

found=0
for f in "$here"/findings/default/crashes/id:* "$here"/findings/default/hangs/id:*; do
  [ -e "$f" ] || continue
  mkdir -p "$crashes"
  case $f in */hangs/*) kind=hang ;; *) kind=crash ;; esac
  cp "$f" "$crashes/afl-$kind-$(sha1sum "$f" | cut -c1-16).bin"
  found=$((found + 1))
done

echo "== replay of the corpus afl-fuzz kept (queue), to show what the inputs reached"
dotnet "$out/Alb.Fuzz.dll" "replay$suffix" "$here/findings/default/queue" | tail -1 || true
if [ "$found" -gt 0 ]; then
  echo "== replay of the crashing (or hanging) inputs copied to ${crashes#"$root"/}/"
  dotnet "$out/Alb.Fuzz.dll" "replay$suffix" "$crashes" || true
fi

echo
echo "mode: afl (SharpFuzz 2.3.0 in-process fork server, Alb.Core.dll instrumented; $(stat afl_version))"
echo "inputs executed: $(stat execs_done)"
echo "crashes: $(stat saved_crashes) (hangs over 5 s: $(stat saved_hangs))"
echo "elapsed: ${elapsed} s wall (afl-fuzz run_time $(stat run_time) s; $(stat execs_per_sec) inputs/s)"
echo "corpus: $(stat corpus_count) inputs kept, $(stat edges_found) edges of Alb.Core, stability $(stat stability)"
[ "$(stat saved_crashes)" = 0 ] && [ "$(stat saved_hangs)" = 0 ]
