{{/* Selector labels of a component: (dict "root" $ "component" "server") */}}
{{- define "semaphore.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: semaphore
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* (dict "root" $ "component" "server" "name" "semaphore") */}}
{{- define "semaphore.labels" -}}
{{ include "semaphore.selector" . }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}

{{/* (dict "root" $ "service" "database") */}}
{{- define "semaphore.serviceName" -}}
{{- index .root.Values.serviceNames .service | default (printf "%s-%s" .root.Release.Name .service) -}}
{{- end }}

{{- define "semaphore.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}
{{- end }}

{{- define "semaphore.internalSecret" -}}
{{ .Release.Name }}-internal
{{- end }}

{{/* Semaphore's configuration, for the server and for its CLI in the init container. */}}
{{- define "semaphore.env" -}}
- name: SEMAPHORE_PORT
  value: {{ .Values.server.port | quote }}
- name: SEMAPHORE_TMP_PATH
  value: /tmp/semaphore
- name: SEMAPHORE_DB_DIALECT
  value: postgres
- name: SEMAPHORE_DB_HOST
  value: {{ include "semaphore.serviceName" (dict "root" . "service" "database") | quote }}
- name: SEMAPHORE_DB_PORT
  value: {{ .Values.database.port | quote }}
- name: SEMAPHORE_DB
  value: {{ .Values.database.name | quote }}
- name: SEMAPHORE_DB_USER
  value: {{ .Values.database.user | quote }}
- name: SEMAPHORE_DB_PASS
  valueFrom:
    secretKeyRef: {name: {{ include "semaphore.internalSecret" . }}, key: database-password}
- name: SEMAPHORE_DB_OPTIONS
  value: '{"sslmode":"disable"}'
- name: SEMAPHORE_GIT_CLIENT
  value: {{ .Values.server.gitClient | quote }}
- name: SEMAPHORE_MAX_PARALLEL_TASKS
  value: {{ .Values.server.maxParallelTasks | quote }}
- name: SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT
  value: {{ .Values.server.nonAdminCanCreateProject | quote }}
- name: SEMAPHORE_USE_REMOTE_RUNNER
  value: {{ .Values.server.useRemoteRunner | quote }}
{{- if and .Values.server.ingress.enabled .Values.server.ingress.hosts }}
- name: SEMAPHORE_WEB_ROOT
  value: {{ printf "%s://%s" .Values.server.ingress.scheme (first .Values.server.ingress.hosts) | quote }}
{{- end }}
- name: SEMAPHORE_COOKIE_HASH
  valueFrom:
    secretKeyRef: {name: {{ include "semaphore.internalSecret" . }}, key: cookie-hash}
- name: SEMAPHORE_COOKIE_ENCRYPTION
  valueFrom:
    secretKeyRef: {name: {{ include "semaphore.internalSecret" . }}, key: cookie-encryption}
- name: SEMAPHORE_ACCESS_KEY_ENCRYPTION
  valueFrom:
    secretKeyRef: {name: {{ include "semaphore.internalSecret" . }}, key: access-key-encryption}
{{- end }}
