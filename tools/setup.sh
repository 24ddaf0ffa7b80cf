#!/usr/bin/env bash
# One setup path for a fresh Debian machine that reaches only the package registries.
# Installs the Debian packages the project builds and tests with, then builds the test plane's
# upstream tools into the cache (tools/plane/build.sh). Idempotent: a second run only checks.
#
#   tools/setup.sh            everything
#   tools/setup.sh --no-plane  packages only (enough to build and run unit tests)
#   tools/setup.sh --print-node-dir   where the pinned npm packages live
#   tools/setup.sh --print-python     the driver runtime's Python (in its virtual environment)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=setup
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

with_plane=1
for arg in "$@"; do
  case "$arg" in
    --no-plane) with_plane=0 ;;
    --print-node-dir) with_plane=-1 ;;
    --print-python) with_plane=-2 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

debian_packages=(
  # toolchain
  g++ cmake ninja-build ccache make pkg-config git clang clang-format clang-tidy
  libclang-rt-14-dev lld
  # libraries
  libboost1.81-all-dev libpq-dev postgresql sqlite3 libsqlite3-dev libcurl4-openssl-dev
  libssl-dev libyaml-dev nlohmann-json3-dev libexpected-dev libcli11-dev libsodium-dev
  libgit2-dev libpcre2-dev libgtest-dev libgmock-dev libbenchmark-dev
  # runtimes and plane helpers
  python3 python3-venv openssl ca-certificates curl procps iproute2 util-linux
)

install_debian_packages() {
  local missing=()
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
      missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "debian packages: all ${#debian_packages[@]} present"
    return 0
  fi
  log "debian packages: installing ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js and npm come with the machine image; Debian's are the fallback on a bare machine.
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    debian_packages=(nodejs npm)
    install_debian_packages
  fi
  # graphql-js 17 is tested here on Node.js 20 (it declares 22+, and Node 20 runs it); older
  # ones are refused rather than failing later in a differential test.
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || die "Node.js $(node --version) is too old: the tests need Node.js 20 or newer"
  log "node: $(node --version), npm: $(npm --version)"
}

# The npm packages tests use as oracles (graphql-js, ...), pinned by tools/node's lock file and
# installed into the cache under the lock's hash. `setup.sh --print-node-dir` prints the dir.
node_dir() {
  printf '%s/node-%s\n' "$(styrmin_cache_dir)" \
    "$(content_hash "$here/node/package.json" "$here/node/package-lock.json")"
}

install_node_packages() {
  local dir
  dir="$(node_dir)"
  if [[ -f "$dir/.complete" ]]; then
    log "npm packages: cached in $dir"
    return 0
  fi
  log "npm packages: installing into $dir"
  rm -rf "$dir" "$dir.partial" && mkdir -p "$dir.partial"
  cp "$here/node/package.json" "$here/node/package-lock.json" "$dir.partial/"
  (cd "$dir.partial" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$dir.partial/.complete"
  mv "$dir.partial" "$dir"
}

# The driver runtime's virtual environment (python/ runs in it), pinned by
# tools/python/requirements.txt and cached under its hash.
python_dir() {
  printf '%s/python-%s\n' "$(styrmin_cache_dir)" "$(content_hash "$here/python/requirements.txt")"
}

install_python_packages() {
  local dir
  dir="$(python_dir)"
  if [[ -f "$dir/.complete" ]]; then
    log "python packages: cached in $dir"
    return 0
  fi
  log "python packages: installing into $dir"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input \
    -r "$here/python/requirements.txt"
  touch "$dir/.complete"
}

check_go() {
  command -v go >/dev/null ||
    die "Go is required to build the test plane's tools (go1.24 or newer, from the machine image)"
  log "go: $(go version | cut -d' ' -f3)"
}

if ((with_plane == -1)); then
  node_dir
  exit 0
fi
if ((with_plane == -2)); then
  printf '%s/bin/python3\n' "$(python_dir)"
  exit 0
fi
install_debian_packages
ensure_node
install_node_packages
install_python_packages
if ((with_plane)); then
  check_go
  "$here/plane/build.sh"
fi
log "setup complete"
