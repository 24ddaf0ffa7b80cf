#!/usr/bin/env bash
# The demo: today, the local Kubernetes plane Styrmin's tests run against, started and shown.
# The server and demo issues grow it into the full demo.
#
#   tools/demo.sh up DIR     start (or show, when already running) the plane in DIR
#   tools/demo.sh down DIR   stop it and remove DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=demo
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

(($# == 2)) || die "usage: demo.sh up|down DIR"
dir="$2"

case "$1" in
  up)
    # Running means the apiserver answers /readyz, not merely that its old PID exists.
    if [[ -f "$dir/plane.env" ]] &&
      curl -sf --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" --key "$dir/pki/admin.key" \
        "$(sed -n 's/^ *server: //p' "$dir/admin.kubeconfig")/readyz" >/dev/null 2>&1; then
      log "the plane is already running in $dir"
    else
      # A plane left from a crashed run is stopped before a new one starts.
      [[ ! -e "$dir" ]] || "$here/plane/plane.sh" down "$dir"
      "$here/plane/plane.sh" up "$dir" >/dev/null
    fi
    # shellcheck disable=SC1091
    source "$dir/plane.env"
    server="$(sed -n 's/^ *server: //p' "$KUBECONFIG")"
    cat <<TEXT

Styrmin demo: a local Kubernetes control plane (v$("$STYRMIN_KUBECTL" version --client -o json |
      sed -n 's/.*"gitVersion": "v\(.*\)".*/\1/p' | head -n 1)) with one simulated node.

  API server   $server   (loopback only)
  kubeconfig   $KUBECONFIG
  kubectl      $STYRMIN_KUBECTL
  helm         $STYRMIN_HELM

Try:
  export KUBECONFIG=$KUBECONFIG
  $STYRMIN_KUBECTL get nodes
  $STYRMIN_KUBECTL create deployment hello --image=example.invalid/hello:1 --replicas=3

Nodes right now:
$("$STYRMIN_KUBECTL" --kubeconfig "$KUBECONFIG" get nodes -o wide 2>&1 | sed 's/^/  /')

Stop it with: make demo-stop
TEXT
    ;;
  down) "$here/plane/plane.sh" down "$dir" ;;
  *) die "usage: demo.sh up|down DIR" ;;
esac
