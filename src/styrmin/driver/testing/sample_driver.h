// A complete, valid driver for tests: its spec, values template, actions and local chart.
#pragma once

#include <string>

#include "styrmin/driver/loader.h"

namespace styrmin::driver::testing {

inline constexpr const char* kSampleSpec = R"(apiVersion: styrmin.io/v1
kind: ApplicationDriver
metadata:
  name: infrahub
spec:
  version: "3"
  supported_versions: ">=1.4,<2.0"
  default_version: "1.5.2"
  info:
    description: Infrahub, a graph-based source of truth
    authors: [OpsMill]
    license: Apache-2.0
    links:
      - {link: Documentation, url: "https://docs.infrahub.app"}
  helm:
    main: {location: ./chart, version: "4.1.0"}
  components:
    server:
      identifier: {label: {app.kubernetes.io/component: server}}
    task-worker:
      identifier: {label: {app.kubernetes.io/component: task-worker}}
    database:
      identifier: {label: {app.kubernetes.io/name: neo4j}}
      backup: {kind: neo4j}
    cache:
      identifier: {label: {app.kubernetes.io/name: redis}}
      backup: {kind: disk, volume: data}
  parameters:
    - {name: admin_password, label: Admin password, kind: secret, pattern: ".{12,}"}
    - {name: log_level, kind: enum, values: [DEBUG, INFO, WARNING], default: INFO}
    - {name: workers, kind: integer, default: 2, min: 1, max: 16}
    - {name: telemetry, kind: boolean, default: false}
    - {name: banner, kind: string, required: false}
  services:
    - {name: infrahub, kind: http, scope: external, port: 8000, component: server}
    - {name: bolt, kind: tcp, port: 7687, component: database}
  env_vars:
    - {name: INFRAHUB_LOG_LEVEL, component: server, default: INFO}
  container_overrides:
    - {component: task-worker, description: Extra worker arguments}
  actions:
    - {name: stop-workers, hook: upgrade, mode: pre, location: "actions.py::stop_workers"}
    - {name: migrate, hook: upgrade, mode: post, location: "actions.py::migrate", timeout: 900}
    - {name: setup, hook: setup, mode: post, location: "actions.py::setup"}
)";

inline constexpr const char* kSampleValues = R"(server:
  replicas: {{ 1 if components.server.replicas is none else components.server.replicas }}
  env: {{ components | tojson }}
{% if parameters.telemetry %}
telemetry: true
{% endif %}
{% for name, service in services.items() %}
# {{ name }} on {{ service.port }}
{% endfor %}
)";

inline constexpr const char* kSampleActions =
    R"(from styrmin_backend.actions import execute_commands
from prefect import flow


@flow
async def stop_workers(context):
    pass


async def migrate(context):
    await execute_commands("server", ["infrahub", "db", "migrate"])


def setup(context):
    return None
)";

inline constexpr const char* kSampleChart = R"(apiVersion: v2
name: infrahub
version: 4.1.0
)";

inline DriverFiles SampleFiles() {
  return {{"driver.styrmin.yml", kSampleSpec},
          {"values.j2.yml", kSampleValues},
          {"actions.py", kSampleActions},
          {"chart/Chart.yaml", kSampleChart},
          {"chart/templates/server.yaml", "kind: Deployment\n"}};
}

}  // namespace styrmin::driver::testing
