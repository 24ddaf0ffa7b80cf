#!/usr/bin/env bash
# The demo: Styrmin's server on its embedded default (SQLite, loopback) next to the local
# Kubernetes plane the tests run against, with the plane registered as cluster "local" and an
# environment "demo" on it. The agent and drivers issues grow it into the full demo.
#
#   tools/demo.sh up DIR SERVER_BINARY   start (or show, when already running) in DIR
#   tools/demo.sh down DIR               stop both by PID and remove DIR
#
# STYRMIN_DEMO_PORT picks the server's port (default 8080).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=demo
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

usage() { die "usage: demo.sh up DIR SERVER_BINARY | down DIR"; }
(($# >= 2)) || usage
dir="$2"
plane="$dir/plane"
server_dir="$dir/server"
port="${STYRMIN_DEMO_PORT:-8080}"
url="http://127.0.0.1:$port"

plane_up() {
  # Running means the apiserver answers /readyz, not merely that its old PID exists.
  if [[ -f "$plane/plane.env" ]] &&
    curl -sf --cacert "$plane/pki/ca.crt" --cert "$plane/pki/admin.crt" \
      --key "$plane/pki/admin.key" \
      "$(sed -n 's/^ *server: //p' "$plane/admin.kubeconfig")/readyz" >/dev/null 2>&1; then
    log "the plane is already running in $plane"
  else
    # A plane left from a crashed run is stopped before a new one starts.
    [[ ! -e "$plane" ]] || "$here/plane/plane.sh" down "$plane"
    "$here/plane/plane.sh" up "$plane" >/dev/null
  fi
}

server_running() {
  [[ -f "$server_dir/server.pid" ]] && kill -0 "$(cat "$server_dir/server.pid")" 2>/dev/null &&
    curl -sf "$url/readyz" >/dev/null 2>&1
}

graphql() {
  curl -sS -H "Authorization: Bearer $(cat "$server_dir/admin-token")" \
    -H 'Content-Type: application/json' --data "$1" "$url/graphql"
}

server_up() {
  local binary="$1"
  if server_running; then
    log "the server is already running (PID $(cat "$server_dir/server.pid"))"
    return 0
  fi
  mkdir -p "$server_dir"
  "$binary" --listen "127.0.0.1:$port" --data-dir "$server_dir/data" \
    >>"$server_dir/server.log" 2>&1 &
  echo $! >"$server_dir/server.pid"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -sf "$url/readyz" >/dev/null 2>&1 && break
    kill -0 "$(cat "$server_dir/server.pid")" 2>/dev/null ||
      die "styrmin-server exited; its log:$(printf '\n'; tail -n 20 "$server_dir/server.log")"
    sleep 0.1
  done
  curl -sf "$url/readyz" >/dev/null 2>&1 || die "styrmin-server is not ready after 10 s"
  # The admin token is printed once, on the first start: keep it for the next runs.
  local token
  token="$(sed -n 's/.*admin token (shown once, keep it): //p' "$server_dir/server.log" | tail -n 1)"
  if [[ -n "$token" && ! -f "$server_dir/admin-token" ]]; then
    (umask 077 && printf '%s\n' "$token" >"$server_dir/admin-token")
    graphql '{"query":"mutation { createCluster(input: {name: \"local\", config: {fqdn_suffix: \"styrmin.localhost\"}}) { cluster { id } } }"}' \
      >"$server_dir/create-cluster.json"
    local cluster_id
    cluster_id="$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$server_dir/create-cluster.json")"
    [[ -n "$cluster_id" ]] || die "registering the plane failed: $(cat "$server_dir/create-cluster.json")"
    graphql "{\"query\":\"mutation { createEnvironment(input: {clusterId: \\\"$cluster_id\\\", name: \\\"demo\\\"}) { id } }\"}" \
      >"$server_dir/create-environment.json"
    local environment_id driver name grafana_version=""
    environment_id="$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$server_dir/create-environment.json")"
    # The example drivers, loaded as an operator would; grafana deployed into "demo" (its run
    # waits for the agent, which is not part of the demo yet).
    for driver in "$here"/../drivers/*/; do
      driver="$(cd "$driver" && pwd)"
      name="$(basename "$driver")"
      graphql "{\"query\":\"mutation { loadLocalApplicationDriverVersion(path: \\\"$driver\\\") { version { id } } }\"}" \
        >"$server_dir/load-$name.json"
      if grep -q '"errors"' "$server_dir/load-$name.json"; then
        die "loading driver $name failed: $(cat "$server_dir/load-$name.json")"
      fi
      if [[ "$name" == grafana ]]; then
        grafana_version="$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$server_dir/load-$name.json")"
      fi
    done
    [[ -n "$grafana_version" && -n "$environment_id" ]] || die "the demo environment or driver is missing"
    graphql "{\"query\":\"mutation { createDeployment(input: {environmentId: \\\"$environment_id\\\", name: \\\"grafana\\\", driverVersionId: \\\"$grafana_version\\\", parameters: {admin_password: \\\"demo-password\\\"}}) { plan } }\"}" \
      >"$server_dir/create-deployment.json"
    if grep -q '"errors"' "$server_dir/create-deployment.json"; then
      die "creating the demo deployment failed: $(cat "$server_dir/create-deployment.json")"
    fi
  fi
}

stop_server() {
  [[ -f "$server_dir/server.pid" ]] || return 0
  local pid i
  pid="$(cat "$server_dir/server.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null || kill -KILL "$pid"
  fi
  rm -f "$server_dir/server.pid"
}

case "$1" in
  up)
    (($# == 3)) || usage
    plane_up
    server_up "$3"
    # shellcheck disable=SC1091
    source "$plane/plane.env"
    cat <<TEXT

Styrmin demo

  styrmin-server  $url   (SQLite in $server_dir/data, loopback only)
    admin token   $server_dir/admin-token
    GraphiQL      $url/graphiql   (set the Authorization header to "Bearer <token>")
  Kubernetes      $(sed -n 's/^ *server: //p' "$KUBECONFIG")   (registered as cluster "local")
    kubeconfig    $KUBECONFIG
    kubectl       $STYRMIN_KUBECTL

Try:
  curl -s -H "Authorization: Bearer \$(cat $server_dir/admin-token)" \\
       -H 'Content-Type: application/json' \\
       -d '{"query":"{ clusters { name environments { name effectiveConfig } } }"}' $url/graphql

Right now:
$(graphql '{"query":"{ clusters { name environments { name } } }"}' | sed 's/^/  /')
$(graphql '{"query":"{ applicationDrivers { name latestVersion { version defaultVersion } } }"}' | sed 's/^/  /')
$(graphql '{"query":"{ deployments { deployments { name phase applicationVersion currentRun { kind state } } } }"}' | sed 's/^/  /')

Stop it with: make demo-stop
TEXT
    ;;
  down)
    stop_server
    [[ ! -e "$plane" ]] || "$here/plane/plane.sh" down "$plane"
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
