#!/usr/bin/env bash
# Installs what lucht needs to build, run and test, skipping what is already there:
# Debian packages with apt-get, and DuckDB (no Debian package) with npm pack into
# third_party/duckdb. Safe to run again and again.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config ca-certificates
  libcurl4-openssl-dev libjansson-dev libsqlite3-dev libhiredis-dev libpq-dev
  libmicrohttpd-dev libyaml-dev libcmocka-dev
  redis-server postgresql
  jq time valgrind faketime
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm may come from outside Debian (as on the machines lucht is built on); only ask apt-get
# for it when there is none at all.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# DuckDB 1.4.4: the C header ships in the npm package duckdb, a matching libduckdb.so in the
# platform bindings package. Both are pinned; the folder is ignored by git.
duckdb_version=1.4.4
bindings_version=1.4.4-r.4
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-deps: no DuckDB build for $(uname -m)" >&2; exit 1 ;;
esac
dest="$root/third_party/duckdb"
stamp="$dest/.version"
want="$duckdb_version $bindings_version $arch"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install-deps: fetching DuckDB $duckdb_version"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "duckdb@$duckdb_version" \
      "@duckdb/node-bindings-linux-$arch@$bindings_version" >/dev/null)
  rm -rf "$dest"
  mkdir -p "$dest/include" "$dest/lib"
  tar -xzf "$tmp/duckdb-$duckdb_version.tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
  mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$dest/include/"
  rm -rf "$tmp/package"
  tar -xzf "$tmp/duckdb-node-bindings-linux-$arch-$bindings_version.tgz" -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$dest/lib/"
  echo "$want" > "$stamp"
fi
