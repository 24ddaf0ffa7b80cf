#!/usr/bin/env bash
# Starts and stops the local Kubernetes test plane: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok simulating one node, all on free 127.0.0.1
# ports, with generated certificates and a service-account key.
#
#   plane.sh up DIR     start; DIR (new or empty) holds certificates, data, logs and PIDs;
#                       prints shell assignments (KUBECONFIG=..., STYRMIN_PLANE_DIR=...),
#                       also kept in DIR/plane.env
#   plane.sh down DIR   stop every process by its recorded PID, then remove DIR
#   plane.sh env DIR    print the assignments again
#
# Binaries come from tools/plane/build.sh (run it, or tools/setup.sh, first).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=plane
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"

readonly NODE_NAME=kwok-node-0
readonly MARKER=.styrmin-plane
readonly READY_TIMEOUT_S="${STYRMIN_PLANE_TIMEOUT_S:-120}"

usage() { die "usage: plane.sh up|down|env DIR"; }

# Prints N distinct free loopback TCP ports, chosen by the kernel (bind to port 0, read back).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# start NAME CMD...: runs CMD in its own session with output to logs/NAME.log, records its PID.
start() {
  local name="$1"
  shift
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name.pid"
  echo "$name" >>"$dir/pids/order"
}

# wait_for DESCRIPTION COMMAND...: polls COMMAND until it succeeds, up to READY_TIMEOUT_S.
wait_for() {
  local what="$1"
  shift
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until "$@" >/dev/null 2>&1; do
    check_alive || return 1
    if ((SECONDS >= deadline)); then
      log "timed out after ${READY_TIMEOUT_S}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# Fails (showing the log tail) when a started process has died.
check_alive() {
  local name pid
  while read -r name; do
    pid="$(cat "$dir/pids/$name.pid")"
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) exited; last lines of its log:"
      tail -n 20 "$dir/logs/$name.log" >&2 || true
      return 1
    fi
  done <"$dir/pids/order"
}

make_pki() {
  local pki="$dir/pki"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key
    openssl req -x509 -new -key ca.key -subj "/CN=styrmin-plane-ca" -days 30 -out ca.crt \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    issue() {  # issue NAME SUBJECT EXTENSIONS
      openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
      printf '%s\n' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
        -extfile "$1.ext" -out "$1.crt"
      rm -f "$1.csr" "$1.ext"
    }
    issue serving "/CN=127.0.0.1" \
      "$(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment')"
    issue admin "/O=system:masters/CN=admin" \
      "$(printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment')"
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
  ) >"$dir/logs/pki.log" 2>&1 || { cat "$dir/logs/pki.log" >&2; die "certificate generation failed"; }
}

write_kubeconfig() {
  cat >"$dir/admin.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: styrmin-plane
  cluster:
    server: https://127.0.0.1:$apiserver_port
    certificate-authority: $dir/pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $dir/pki/admin.crt
    client-key: $dir/pki/admin.key
contexts:
- name: styrmin-plane
  context: {cluster: styrmin-plane, user: admin, namespace: default}
current-context: styrmin-plane
YAML
}

# kwok stages ship inside its module; the config is assembled from them at every start.
write_kwok_config() {
  local stages="$KWOK_DIR/share/kustomize/stage"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      [[ -f "$stages/$f" ]] || die "kwok stage $f missing from $stages"
      echo "---"
      cat "$stages/$f"
    done
  } >"$dir/kwok.yaml"
}

# NAME=VALUE lines, values quoted for the shell when they need it, so `source` reads them back
# whatever the paths hold. (Tests read the file by line: keep paths free of quoting needs.)
env_lines() {
  printf 'KUBECONFIG=%q\nSTYRMIN_PLANE_DIR=%q\nSTYRMIN_KUBECTL=%q\nSTYRMIN_HELM=%q\n' \
    "$dir/admin.kubeconfig" "$dir" "$K8S_DIR/bin/kubectl" "$HELM_DIR/bin/helm"
}

up() {
  [[ ! -e "$dir" || -z "$(ls -A "$dir")" ]] || die "$dir exists and is not empty"
  eval "$("$here/build.sh" --print-dirs)"
  K8S_DIR="$KUBERNETES_DIR"
  for bin in "$ETCD_DIR/bin/etcd" "$K8S_DIR/bin/kube-apiserver" "$KWOK_DIR/bin/kwok" \
    "$HELM_DIR/bin/helm"; do
    [[ -x "$bin" ]] || die "$bin is not built; run tools/setup.sh"
  done
  local kubectl="$K8S_DIR/bin/kubectl"
  mkdir -p "$dir"/{logs,pids,etcd,exec}
  touch "$dir/$MARKER" "$dir/pids/order"
  local start_s=$SECONDS
  # If anything below fails (an error, a `die`, a dead component), stop what was started
  # rather than leave it running: the EXIT trap runs on every way out until `up` succeeds.
  trap 'log "start failed; stopping what was started"; down_quiet' EXIT

  read -r etcd_client etcd_peer apiserver_port kwok_port < <(free_ports 4)
  make_pki
  write_kubeconfig
  write_kwok_config

  start etcd "$ETCD_DIR/bin/etcd" --name plane --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" \
    --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "plane=http://127.0.0.1:$etcd_peer" \
    --unsafe-no-fsync --log-level warn
  wait_for etcd curl -sf "http://127.0.0.1:$etcd_client/health"

  local pki="$dir/pki"
  start kube-apiserver "$K8S_DIR/bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$apiserver_port" \
    --tls-cert-file "$pki/serving.crt" --tls-private-key-file "$pki/serving.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer "https://127.0.0.1:$apiserver_port" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --authorization-mode Node,RBAC \
    --allow-privileged=true --endpoint-reconciler-type none \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
    --kubelet-preferred-address-types InternalIP \
    --enable-priority-and-fairness=false --profiling=false
  wait_for "kube-apiserver /readyz" curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" \
    --key "$pki/admin.key" "https://127.0.0.1:$apiserver_port/readyz"

  start kube-controller-manager "$K8S_DIR/bin/kube-controller-manager" \
    --kubeconfig "$dir/admin.kubeconfig" --leader-elect=false --bind-address 127.0.0.1 \
    --secure-port 0 --root-ca-file "$pki/ca.crt" \
    --service-account-private-key-file "$pki/sa.key" --use-service-account-credentials=false \
    --kube-api-qps 1000 --kube-api-burst 2000 --profiling=false
  start kube-scheduler "$K8S_DIR/bin/kube-scheduler" \
    --kubeconfig "$dir/admin.kubeconfig" --leader-elect=false --bind-address 127.0.0.1 \
    --secure-port 0 --profiling=false

  # kwok reads exec targets from its CRDs, so tests can add per-pod Exec objects later.
  KUBECONFIG="$dir/admin.kubeconfig" "$kubectl" apply \
    -f "$KWOK_DIR/share/kustomize/crd/bases/kwok.x-k8s.io_clusterexecs.yaml" \
    -f "$KWOK_DIR/share/kustomize/crd/bases/kwok.x-k8s.io_execs.yaml" >/dev/null
  wait_for "kwok CRDs" env KUBECONFIG="$dir/admin.kubeconfig" "$kubectl" wait \
    --for condition=Established --timeout 5s crd/clusterexecs.kwok.x-k8s.io crd/execs.kwok.x-k8s.io

  start kwok "$KWOK_DIR/bin/kwok" --kubeconfig "$dir/admin.kubeconfig" \
    --config "$dir/kwok.yaml" --manage-all-nodes=true --enable-crds ClusterExec,Exec \
    --cidr 10.244.0.0/16 --node-ip 127.0.0.1 --node-port "$kwok_port" \
    --server-address "127.0.0.1:$kwok_port" \
    --tls-cert-file "$pki/serving.crt" --tls-private-key-file "$pki/serving.key" \
    --node-lease-duration-seconds 40

  KUBECONFIG="$dir/admin.kubeconfig" "$kubectl" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {kubernetes.io/hostname: $NODE_NAME, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
status:
  capacity: {cpu: "32", memory: 256Gi, pods: "250"}
  allocatable: {cpu: "32", memory: 256Gi, pods: "250"}
---
# Every exec into a simulated pod runs the command on this machine, in DIR/exec.
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata: {name: local}
spec:
  execs:
  - local:
      workDir: $dir/exec
      envs: [{name: STYRMIN_PLANE_DIR, value: "$dir"}]
YAML
  wait_for "node $NODE_NAME Ready" env KUBECONFIG="$dir/admin.kubeconfig" "$kubectl" wait \
    --for condition=Ready --timeout 5s "node/$NODE_NAME"
  wait_for "the default service account" env KUBECONFIG="$dir/admin.kubeconfig" "$kubectl" get \
    serviceaccount default -n default
  trap - EXIT
  log "ready in $((SECONDS - start_s)) s: apiserver https://127.0.0.1:$apiserver_port"
  env_lines >"$dir/plane.env"
  env_lines
}

down_quiet() {
  [[ -f "$dir/pids/order" ]] || return 0
  local name pid cmdline pids=()
  # Reverse start order: kwok and controllers first, etcd last.
  while read -r name; do
    pid="$(cat "$dir/pids/$name.pid" 2>/dev/null)" || continue
    # A PID from a plane that died long ago may belong to another process by now: only
    # processes whose command line names this plane's directory are ours.
    cmdline=""
    if [[ -r "/proc/$pid/cmdline" ]]; then
      cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    fi
    if [[ "$cmdline" == *"$dir/"* ]]; then
      pids=("$pid" "${pids[@]}")
    fi
  done <"$dir/pids/order"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

down() {
  [[ -d "$dir" ]] || { log "$dir does not exist; nothing to stop"; return 0; }
  [[ -f "$dir/$MARKER" ]] || die "$dir is not a plane directory (no $MARKER); refusing to remove it"
  down_quiet
  rm -rf "$dir"
  log "stopped and removed $dir"
}

(($# == 2)) || usage
dir="$(realpath -m "$2")"
case "$1" in
  up) up ;;
  down) down ;;
  env)
    eval "$("$here/build.sh" --print-dirs)"
    K8S_DIR="$KUBERNETES_DIR"
    env_lines
    ;;
  *) usage ;;
esac
