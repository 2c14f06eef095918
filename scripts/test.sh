#!/usr/bin/env bash
# Runs every test of the repository. It first installs what the tests use (Debian packages), so a fresh
# Debian 12 machine with the .NET 10 SDK needs nothing else. CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive: wrk (alb reload-under-load), curl, keepalived + arping + iproute2 (vipd failover
# and interop in network namespaces; those tests skip with a reason where namespaces cannot be made), etcd-server +
# etcd-client (etcd-backup against a real etcd 3.4), clang + zlib1g-dev (the Native AOT publishes of etcd-backup and
# vipd link with them), apache2-utils + openssl (htpasswd and openssl passwd make the password hashes basic auth is tested
# against), and Node.js for the S3 protocol server of the etcd-backup tests.
./scripts/ensure-packages.sh wrk curl keepalived iputils-arping iproute2 etcd-server etcd-client clang zlib1g-dev apache2-utils openssl

# kubectl is the real client of the test API server's tests (alb and alb-operator in a cluster) and renders deploy/
# with its built-in kustomize. It is not a Debian 12 package: it ships with this project's machine image (the
# "kubectl" package, v1.32). Without it those tests fail, so say so now rather than after the build.
if ! command -v kubectl >/dev/null; then
  echo "test.sh: kubectl is missing; install kubectl 1.32 (package kubectl from the Kubernetes or Google Cloud apt repository)" >&2
  exit 1
fi

# The S3 protocol server (tests/tools/s3server: @20minutes/s3rver, pinned by its lock file).
if [ ! -d tests/tools/s3server/node_modules/@20minutes/s3rver ]; then
  echo "test.sh: installing the S3 test server (npm)"
  npm ci --prefix tests/tools/s3server --no-audit --no-fund --loglevel=error
fi

log=$(mktemp)
aot=$(mktemp -d)
trap 'rm -rf "$log" "$aot"' EXIT
status=0
dotnet test Edge.sln -c Release --nologo 2>&1 | tee "$log" || status=$?

# The daemons ship as published executables (etcd-backup and vipd as Native AOT, alb as two images): their process
# tests run a second time against that publish, so trimming or AOT breaking something at run time fails here and not
# in production.
# [OUT=DIR] [FILTER=F] published_retest NAME PROJECT TESTS VARIABLE [PUBLISH ARGS]: publish PROJECT (into DIR, default
# NAME), run TESTS (those FILTER selects, default all) with VARIABLE naming the executable NAME.
published_retest() {
  local name=$1 project=$2 tests=$3 variable=$4 dir="$aot/${OUT:-$1}"
  shift 4
  echo "test.sh: publishing $name as it ships${*:+ ($*)} and running its process tests against it"
  if dotnet publish "$project" -c Release -r linux-x64 "$@" -o "$dir" --nologo -v quiet >"$dir.publish.log" 2>&1; then
    env "$variable=$dir/$name" dotnet test "$tests" -c Release --no-build --nologo ${FILTER:+--filter "$FILTER"} 2>&1 | tee -a "$log" || status=$?
  else
    cat "$dir.publish.log" >&2
    echo "test.sh: the publish of $name failed" >&2
    status=1
  fi
}
published_retest etcd-backup src/EtcdBackup/EtcdBackup tests/EtcdBackup/EtcdBackup.Tests ETCD_BACKUP_BIN  # README: installed as AOT
published_retest vipd src/VipDaemon/VipDaemon tests/VipDaemon/VipDaemon.Tests VIPD_BIN                     # docs/vipd.md
# alb's two images (deploy/containers/alb.Containerfile): every process test against the Native AOT build (built
# against KubernetesClient.Aot, source-generated JSON only: the riskier of the two), and the JIT image's build (the
# tested code, trimmed with TrimMode=partial and precompiled) on what trimming could break: reading a cluster
# (kubeconfig, in-cluster, JSON) and the command line.
OUT=alb-aot published_retest alb src/Alb/Alb tests/Alb/Alb.Tests ALB_BIN -p:AlbAot=true
OUT=alb-image FILTER='FullyQualifiedName~Alb.Tests.Cluster|FullyQualifiedName~Alb.Tests.Cli' \
  published_retest alb src/Alb/Alb tests/Alb/Alb.Tests ALB_BIN -p:AlbImage=true

# ALB_FAST_H1=0 (alb's own HTTP/1.1 front end off: Kestrel's transport for every connection, as on machines other than
# Linux x86-64; docs/alb.md): the whole of Alb.Tests once more that way (about 3.5 minutes on 2 cores).
echo "test.sh: alb's tests once more with its own front end off (ALB_FAST_H1=0)"
ALB_FAST_H1=0 dotnet test tests/Alb/Alb.Tests -c Release --no-build --nologo 2>&1 | tee -a "$log" || status=$?

# One closing line for every test assembly together.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
