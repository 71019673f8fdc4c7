#!/usr/bin/env bash
# Installs everything the local stack needs, each step cached and skipped when already done:
#   .venv                       the project and its dev tools (re-installed when pyproject.toml changes)
#   $CACHE/kafka-<v>/libs       the Kafka broker jars, fetched from Maven Central by deploy/local/kafka/pom.xml
#   $CACHE/bin/ferretdb-<v>-<p> FerretDB built from its Go module source, version.txt written, our patches applied
#   Debian packages             tesseract-ocr with eng deu fra nld spa ita por pol, poppler-utils (OCR, tests, bench)
# $CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/jobstream so that a fresh clone on the same
# machine (CI included) neither downloads nor rebuilds. Needs: python3.11, java 17, mvn, go.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${JOBSTREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jobstream}
kafka_version=${KAFKA_VERSION:-4.1.1}
ferretdb_version=${FERRETDB_VERSION:-v1.24.2}
ferretdb_patch_level=p3  # bump with every change to deploy/local/ferretdb/*.patch
python=${PYTHON:-python3.11}
mkdir -p "$cache/bin"

say() { printf '[provision] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "missing '$1': $2"; exit 1; }; }

provision_venv() {
  local stamp_src stamp
  stamp_src=$(cat "$root/pyproject.toml" | sha256sum | cut -c1-16)
  stamp="$root/.venv/.installed-$stamp_src"
  [ -f "$stamp" ] && return 0
  need "$python" "install Python 3.11"
  say "installing the project into .venv"
  [ -x "$root/.venv/bin/python" ] || "$python" -m venv "$root/.venv"
  "$root/.venv/bin/pip" install -q --disable-pip-version-check -e "$root[dev,bench]"
  rm -f "$root"/.venv/.installed-* && touch "$stamp"
}

provision_kafka() {
  local libs="$cache/kafka-$kafka_version/libs"
  [ -f "$libs/.complete" ] && return 0
  need java "install a Java 17 runtime"; need mvn "install Maven"
  say "fetching Kafka $kafka_version jars from Maven Central"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -B -q -f "$here/kafka/pom.xml" -Dkafka.version="$kafka_version" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs"
  touch "$libs/.complete"
}

provision_ferretdb() {
  local bin="$cache/bin/ferretdb-$ferretdb_version-$ferretdb_patch_level" src
  [ -x "$bin" ] && return 0
  need go "install Go 1.24 or newer"
  say "building FerretDB $ferretdb_version from its Go module source"
  export GOFLAGS="-modcacherw -buildvcs=false"
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$ferretdb_version" |
    "$python" -c 'import sys, json; print(json.load(sys.stdin)["Dir"])')
  local work="$cache/ferretdb-src-$ferretdb_version"
  rm -rf "$work" && cp -r "$src" "$work" && chmod -R u+w "$work"
  # The module zip lacks the git-ignored version file; without it the binary panics at start.
  echo "$ferretdb_version" > "$work/build/version/version.txt"
  # Our patches (deploy/local/ferretdb/*.patch, each explains itself); the binary's name carries
  # the patch level so a new patch rebuilds it.
  local patch
  for patch in "$root"/deploy/local/ferretdb/*.patch; do
    if command -v patch >/dev/null 2>&1; then
      patch -s -p1 -d "$work" < "$patch"
    else  # git apply also works outside a repository
      (cd "$work" && git apply -p1 "$patch")
    fi
  done
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" ./cmd/ferretdb)
  mv "$bin.tmp" "$bin" && rm -rf "$work"
}

# The OCR engine and its language data, poppler-utils (pdftotext/pdftoppm, the bench's
# baseline) and the DejaVu fonts the corpora draw with: checked in one go, then `apt-get update` once and one `apt-get install -y` for all
# that is missing. Without root or apt-get it says what to install and fails.
ocr_languages="eng deu fra nld spa ita por pol"
missing_system_packages() {
  local missing=() langs lang
  command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
  langs=$(tesseract --list-langs 2>/dev/null || true)
  for lang in $ocr_languages; do
    grep -qx "$lang" <<<"$langs" || missing+=("tesseract-ocr-$lang")
  done
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  # the generated corpora's fonts (Polish and other Latin Extended letters)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  echo "${missing[*]}"
}

provision_system_packages() {
  local missing
  missing=$(missing_system_packages)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing Debian packages: $missing (e.g. 'sudo apt-get install -y $missing'), then re-run"
    exit 1
  fi
  say "installing with apt-get: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -q --no-install-recommends $missing >/dev/null
  missing=$(missing_system_packages)
  [ -z "$missing" ] || { say "still missing after apt-get install: $missing"; exit 1; }
}

provision_system_packages
# The generated Retab SDK, beside the venv's hand-written one (tests/e2e/sdk_gen_b.py runs it).
provision_retab_gen_b() {
  local target="$cache/retab-0.0.148"
  [ -f "$target/retab/client.py" ] && return 0
  say "installing retab 0.0.148 into $target"
  rm -rf "$target.partial"
  "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    --target "$target.partial" retab==0.0.148
  mv "$target.partial" "$target"
}

provision_venv
provision_kafka
provision_ferretdb
provision_retab_gen_b
