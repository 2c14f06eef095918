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

# Operators install etcd-backup as a Native AOT executable (README): its process tests run a second time against that
# publish, so trimming or AOT breaking something at run time fails here and not in a restore.
echo "test.sh: publishing etcd-backup (Native AOT) and running its process tests against it"
if dotnet publish src/EtcdBackup/EtcdBackup -c Release -r linux-x64 -o "$aot/bin" --nologo -v quiet >"$aot/publish.log" 2>&1; then
  ETCD_BACKUP_BIN="$aot/bin/etcd-backup" dotnet test tests/EtcdBackup/EtcdBackup.Tests -c Release --no-build --nologo 2>&1 \
    | tee -a "$log" || status=$?
else
  cat "$aot/publish.log" >&2
  echo "test.sh: the Native AOT publish of etcd-backup failed" >&2
  status=1
fi

# vipd ships as a Native AOT executable too (docs/vipd.md): its process tests (command line, failover, admin) run a
# second time against that publish.
echo "test.sh: publishing vipd (Native AOT) and running its process tests against it"
if dotnet publish src/VipDaemon/VipDaemon -c Release -r linux-x64 -o "$aot/vipd" --nologo -v quiet >"$aot/vipd-publish.log" 2>&1; then
  VIPD_BIN="$aot/vipd/vipd" dotnet test tests/VipDaemon/VipDaemon.Tests -c Release --no-build --nologo 2>&1 \
    | tee -a "$log" || status=$?
else
  cat "$aot/vipd-publish.log" >&2
  echo "test.sh: the Native AOT publish of vipd failed" >&2
  status=1
fi

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
