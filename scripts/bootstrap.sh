#!/usr/bin/env bash
# Installs what this checkout needs to build, test and run the demo: npm packages, and the native
# @confluentinc/kafka-javascript client (librdkafka). Idempotent; a second call returns in about a second.
#
# The client's install step downloads a prebuilt binary. Where that download is not reachable, this
# script builds librdkafka from source, linked against the system's OpenSSL, curl, SASL, zlib, zstd and
# lz4 (installing their Debian -dev packages when missing), and keeps the built client in a cache
# (~/.cache/eclipse-hono-kafka/client, keyed by client version, Node ABI and platform) so that a fresh
# clone on the same machine does not build it again. Users of the published package need none of this:
# a plain `npm install` downloads the prebuilt binary where the internet is reachable.
#
# Environment:
#   BOOTSTRAP_FORCE=1        reinstall even when the stamp says everything is in place
#   EHK_CACHE_DIR=<dir>      cache folder (default ~/.cache/eclipse-hono-kafka)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
pkg=node_modules/@confluentinc/kafka-javascript
stamp=node_modules/.eclipse-hono-kafka-bootstrap
cache_dir=${EHK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eclipse-hono-kafka}
say() { printf '[bootstrap] %s\n' "$*" >&2; }

# Node headers for node-gyp: use those of the running Node instead of downloading them (nodejs.org may be
# out of reach). A Debian or official build has them in its prefix (/usr/include/node). npm's `node`
# package ships only the binary: its platform package `node-<platform>-<arch>`, installed underneath it,
# has the headers.
node_headers_dir() {
  node -e '
    const { dirname, join, resolve } = require("path");
    const { existsSync, realpathSync } = require("fs");
    const platformPackage = "node-" + process.platform + "-" + process.arch;
    const candidates = [];
    for (const exe of new Set([process.execPath, realpathSync(process.execPath)])) {
      const prefix = resolve(dirname(exe), "..");
      candidates.push(prefix, join(prefix, "node_modules", platformPackage), resolve(prefix, "..", platformPackage));
    }
    const found = candidates.find((dir) => existsSync(join(dir, "include", "node", "node.h")));
    if (found !== undefined) console.log(found);'
}
# npm prunes that platform package when it reuses its npx folder, so the headers are not always there:
# then they come from the same platform package on the npm registry (nodejs.org may be out of reach),
# kept in the cache.
fetch_node_headers() {
  local version platform_package dir tmp
  version=$(node -p 'process.version.slice(1)')
  platform_package=$(node -p '"node-" + process.platform + "-" + process.arch')
  dir="$cache_dir/node-headers/v$version"
  if [[ ! -f $dir/include/node/node.h ]]; then
    say "fetching the headers of Node.js $version ($platform_package@$version from the npm registry)"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$platform_package@$version" >/dev/null) || { rm -rf "$tmp"; return 1; }
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/include || { rm -rf "$tmp"; return 1; }
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  echo "$dir"
}
use_node_headers() {
  [[ -z "${npm_config_nodedir:-}" ]] || return 0
  local headers
  headers=$(node_headers_dir)
  [[ -n $headers ]] || headers=$(fetch_node_headers) || headers=
  if [[ -n $headers ]]; then
    export npm_config_nodedir=$headers
  else
    say "no headers of $(node --version) found or fetched; node-gyp will try to download them from nodejs.org"
  fi
}

client_loads() {
  node -e "require('@confluentinc/kafka-javascript')" >/dev/null 2>&1
}

lock_hash=$(sha256sum package-lock.json | cut -c1-16)
want_stamp="$lock_hash $(node -p 'process.version + " " + process.platform + "-" + process.arch')"
if [[ "${BOOTSTRAP_FORCE:-0}" != 1 && -f $stamp && "$(cat "$stamp")" == "$want_stamp" ]] && client_loads; then
  exit 0
fi

debian_packages=(libcurl4-openssl-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev)
ensure_build_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian system: install the build packages for librdkafka yourself"; return 0; }
  local missing=()
  for p in "${debian_packages[@]}" g++ make python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { say "missing Debian packages ${missing[*]}; install them as root"; exit 1; }
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

say "installing npm packages (npm ci)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

client_version=$(node -p "require('./$pkg/package.json').version")
platform_key=$(node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules')
client_cache="$cache_dir/client/$client_version-$platform_key"
restored=0
if [[ -f "$client_cache/Release/confluent-kafka-javascript.node" ]]; then
  say "restoring the built client from $client_cache"
  mkdir -p "$pkg/build"
  cp -a "$client_cache/Release" "$client_cache/deps" "$pkg/build/"
  restored=1
else
  # Where the prebuilt binary can be downloaded, npm's normal install step fetches it. Where it cannot,
  # build from source against the system libraries (the default static build downloads their sources).
  binary_url=$(cd "$pkg" && node -e "
    const p = require('./package.json'); const b = p.binary;
    const glibc = process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
    const name = b.package_name.replace('{module_name}', b.module_name).replace('{version}', p.version)
      .replace('{node_abi}', 'node-v' + process.versions.modules).replace('{platform}', process.platform)
      .replace('{libc}', glibc).replace('{arch}', process.arch);
    console.log(b.host + b.remote_path.replace('{version}', p.version) + '/' + name);")
  if curl -fsIL --max-time 15 -o /dev/null "$binary_url" 2>/dev/null; then
    say "the prebuilt client binary is reachable; npm will download it"
  else
    say "the prebuilt client binary is not reachable; building librdkafka from source (about 1-2 minutes)"
    ensure_build_packages
    use_node_headers
    export CKJS_LINKING=dynamic
  fi
fi

# Run every package's install scripts. The client's step is a no-op when its binary is already in place.
# Its output (a whole librdkafka build) is kept in a log, and shown when the build fails.
build_log=node_modules/.eclipse-hono-kafka-build.log
rebuild_status=0
npm rebuild --no-audit --no-fund --loglevel=error >"$build_log" 2>&1 || rebuild_status=$?

if [[ $rebuild_status != 0 ]] || ! client_loads; then
  say "the native client was not built for $(node --version) (npm rebuild exited $rebuild_status; node headers: ${npm_config_nodedir:-downloaded by node-gyp}); the end of the build's output ($root/$build_log):"
  tail -n 60 "$build_log" >&2
  say "loading it gives:"
  node -e "require('@confluentinc/kafka-javascript')" 2>&1 | grep -m 3 -E 'Error|NODE_MODULE_VERSION' >&2 || true
  exit 1
fi

if [[ $restored == 0 && -n "${CKJS_LINKING:-}" ]]; then
  mkdir -p "$client_cache.tmp"
  cp -a "$pkg/build/Release" "$client_cache.tmp/"
  mkdir -p "$client_cache.tmp/deps"
  cp -a "$pkg"/build/deps/*.so* "$client_cache.tmp/deps/"
  rm -rf "$client_cache.tmp/Release/obj.target" "$client_cache.tmp/Release/.deps"
  rm -rf "$client_cache" && mv "$client_cache.tmp" "$client_cache"
  say "kept the built client in $client_cache"
fi

echo "$want_stamp" >"$stamp"
say "ready ($(node -p "'librdkafka ' + require('@confluentinc/kafka-javascript').librdkafkaVersion") in $root)"
