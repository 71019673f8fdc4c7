#!/usr/bin/env bash
# What the operations tooling needs, installed only when missing (each step is idempotent):
#   prometheus  Debian's `prometheus` (prometheus + promtool): `make monitor`, the metric lint and the
#               alert-rule tests in `make test`
#   chromium    Debian's `chromium` + `chromium-driver`: the dashboard page's browser test
#   kustomize   sigs.k8s.io/kustomize/kustomize/v5 via `go install` into $CACHE/bin: the manifest test
# Usage: provision-ops.sh [prometheus|chromium|kustomize ...]   (no argument: all of them)
# apt-get update runs at most once per invocation, and only when something is missing.
set -euo pipefail

cache=${JOBSTREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jobstream}
kustomize_version=${KUSTOMIZE_VERSION:-v5.7.1}
say() { printf '[provision-ops] %s\n' "$*" >&2; }

apt_updated=no
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ "$apt_updated" = no ]; then
    say "apt-get update"
    $sudo apt-get update -qq
    apt_updated=yes
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

provision_prometheus() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return 0
  apt_install prometheus
}

provision_chromium() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

provision_kustomize() {
  local bin="$cache/bin/kustomize-$kustomize_version"
  [ -x "$bin" ] && return 0
  command -v go >/dev/null 2>&1 || { say "missing 'go': install Go 1.24 or newer"; exit 1; }
  say "building kustomize $kustomize_version from its Go module"
  mkdir -p "$cache/bin"
  local gobin
  gobin=$(mktemp -d)
  GOFLAGS="-modcacherw -buildvcs=false" GOBIN="$gobin" CGO_ENABLED=0 \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
  mv "$gobin/kustomize" "$bin" && rm -rf "$gobin"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(prometheus chromium kustomize)
for step in "${steps[@]}"; do
  case "$step" in
    prometheus|chromium|kustomize) "provision_$step" ;;
    *) say "unknown step '$step'"; exit 2 ;;
  esac
done
