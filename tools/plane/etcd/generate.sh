#!/usr/bin/env bash
# Regenerates go.mod/go.sum of the etcd wrapper module. etcd's own go.mod files replace sibling
# modules, so `go install go.etcd.io/etcd/server/v3@...` is refused; required from another
# module, its modules resolve at the release tag instead.
#   tools/plane/etcd/generate.sh v3.6.16
set -euo pipefail
version="${1:?usage: generate.sh v3.MINOR.PATCH}"
cd "$(dirname "${BASH_SOURCE[0]}")"
rm -f go.mod go.sum
go mod init styrmin.dev/tools/plane/etcd >/dev/null 2>&1
gomod_file="$(go mod download -json "go.etcd.io/etcd/server/v3@${version}" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
# Same go line as upstream, so GODEBUG defaults match the official binaries.
go mod edit -go="$(sed -n 's/^go \(.*\)$/\1/p' "$gomod_file" | head -n 1)"
go get -tool "go.etcd.io/etcd/server/v3@${version}"
go get -tool "go.etcd.io/etcd/etcdctl/v3@${version}"
go mod tidy
echo "generate.sh: etcd ${version}"
