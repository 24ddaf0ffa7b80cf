#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for one Kubernetes release.
#
# k8s.io/kubernetes cannot be required as-is: its go.mod pins every staging module at v0.0.0 and
# redirects it to ./staging/... . This wrapper requires the release and replaces each staging
# module with its published twin (v1.X.Y -> v0.X.Y). The replace list is read from the
# release's own go.mod, never written by hand, so a version bump is one command:
#   tools/plane/kubernetes/generate.sh v1.34.4
set -euo pipefail
version="${1:?usage: generate.sh v1.MINOR.PATCH}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

staging_version="v0.${version#v1.}"
gomod_file="$(go mod download -json "k8s.io/kubernetes@${version}" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$gomod_file" ]] || { echo "generate.sh: no go.mod for k8s.io/kubernetes@${version}" >&2; exit 1; }
go_line="$(sed -n 's/^go \(.*\)$/\1/p' "$gomod_file" | head -n 1)"
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9.-]*\) => \./staging/.*#\1#p' "$gomod_file")
(( ${#staging[@]} > 0 )) || { echo "generate.sh: no staging replaces found" >&2; exit 1; }

rm -f go.mod go.sum
go mod init styrmin.dev/tools/plane/kubernetes >/dev/null 2>&1
# Same go line as upstream, so GODEBUG defaults match the official binaries.
go mod edit -go="$go_line"
go mod edit -require="k8s.io/kubernetes@${version}"
for module in "${staging[@]}"; do
  go mod edit -replace="${module}=${module}@${staging_version}"
done
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  go get -tool "k8s.io/kubernetes/cmd/${cmd}@${version}"
done
go mod tidy
echo "generate.sh: k8s.io/kubernetes ${version} with ${#staging[@]} staging replaces at ${staging_version}"
