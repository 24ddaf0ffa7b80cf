# Shared helpers for the project's shell scripts. Source it; it defines no side effects.

# Where versioned tool builds live: outside the repository, shared by every clone.
styrmin_cache_dir() {
  printf '%s\n' "${STYRMIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/styrmin}"
}

log() { printf '[%s] %s\n' "${LOG_TAG:-styrmin}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Prints a short content hash of the given files, so a cache entry changes with its inputs.
content_hash() {
  cat "$@" | sha256sum | cut -c1-12
}
