#!/usr/bin/env bash
# Builds the test plane's upstream tools from their Go modules into the cache, keyed by version
# and by the hash of the wrapper module that pins them. A tool already built is only checked.
#
# Prints nothing but progress on stderr; `build.sh --print-dirs` prints NAME=DIR lines for the
# built tools on stdout (what plane.sh reads).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=plane-build
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
# shellcheck source=versions.env
source "$here/versions.env"

cache="$(styrmin_cache_dir)/tools"
mkdir -p "$cache"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

kubernetes_dir="$cache/kubernetes-${KUBERNETES_VERSION}-$(content_hash "$here/kubernetes/go.mod" "$here/kubernetes/go.sum")"
etcd_dir="$cache/etcd-${ETCD_VERSION}-$(content_hash "$here/etcd/go.mod" "$here/etcd/go.sum")"
kwok_dir="$cache/kwok-${KWOK_VERSION}"
helm_dir="$cache/helm-${HELM_VERSION}"

if [[ "${1:-}" == "--print-dirs" ]]; then
  printf 'KUBERNETES_DIR=%q\nETCD_DIR=%q\nKWOK_DIR=%q\nHELM_DIR=%q\n' \
    "$kubernetes_dir" "$etcd_dir" "$kwok_dir" "$helm_dir"
  exit 0
fi

# build_into DIR FUNCTION: runs FUNCTION with $out set to a fresh staging dir, then publishes it
# as DIR in one rename, so an interrupted build never looks complete.
build_into() {
  local dir="$1" fn="$2"
  if [[ -f "$dir/.complete" ]]; then
    log "$(basename "$dir"): cached"
    return 0
  fi
  local out="$dir.partial.$$" start=$SECONDS
  rm -rf "$dir".partial.* && mkdir -p "$out/bin"  # also drops leftovers of interrupted runs
  log "$(basename "$dir"): building (this takes minutes on a cold cache)"
  "$fn" "$out"
  touch "$out/.complete"
  rm -rf "$dir" && mv "$out" "$dir"
  log "$(basename "$dir"): built in $((SECONDS - start)) s"
}

build_kubernetes() {
  local out="$1" minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  local date ldflags="-s -w"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # Without these, --version prints v0.0.0-master and tools that read it (kwokctl) misbehave.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${KUBERNETES_VERSION} -X ${pkg}.gitMajor=1"
    ldflags+=" -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${date}"
  done
  (cd "$here/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$out/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
  local out="$1"
  # Both main packages end in /v3, so each gets its own output name.
  (cd "$here/etcd" &&
    go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3 &&
    go build -trimpath -ldflags "-s -w" -o "$out/bin/etcdctl" go.etcd.io/etcd/etcdctl/v3)
}

build_kwok() {
  local out="$1"
  GOBIN="$out/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  # The stages and CRDs ship inside the module; keep them beside the binary so the plane can
  # assemble its configuration at run time without the module cache.
  local moddir
  moddir="$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$moddir/kustomize" ]] || die "kwok module has no kustomize/ directory"
  mkdir -p "$out/share" && cp -r "$moddir/kustomize" "$out/share/" && chmod -R u+w "$out/share"
}

build_helm() {
  local out="$1"
  GOBIN="$out/bin" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}"
}

command -v go >/dev/null || die "go is not installed (tools/setup.sh installs it)"
# Clones share the cache: one build at a time, the others wait and then find it built.
exec 9>"$cache/.build.lock"
flock 9
build_into "$etcd_dir" build_etcd
build_into "$kwok_dir" build_kwok
build_into "$helm_dir" build_helm
build_into "$kubernetes_dir" build_kubernetes
