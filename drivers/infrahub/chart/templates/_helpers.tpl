{{/* Selector labels of a component: (dict "root" $ "component" "server") */}}
{{- define "infrahub.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: infrahub
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of a component's objects and pods: (dict "root" $ "component" "server" "name" "infrahub") */}}
{{- define "infrahub.labels" -}}
{{ include "infrahub.selector" . }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}

{{/* The Service name of a driver service: (dict "root" $ "service" "bolt") */}}
{{- define "infrahub.serviceName" -}}
{{- index .root.Values.serviceNames .service | default (printf "%s-%s" .root.Release.Name .service) -}}
{{- end }}

{{- define "infrahub.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "infrahub.internalSecret" -}}
{{ .Release.Name }}-internal
{{- end }}

{{/* A key of the chart's internal Secret, as an env valueFrom: (dict "root" $ "key" "...") */}}
{{- define "infrahub.internalRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ include "infrahub.internalSecret" .root }}
    key: {{ .key }}
{{- end }}

{{/* The configuration every Infrahub process (server, task worker) shares. */}}
{{- define "infrahub.commonEnv" -}}
- name: INFRAHUB_PRODUCTION
  value: {{ .Values.production | quote }}
- name: INFRAHUB_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: INFRAHUB_ALLOW_ANONYMOUS_ACCESS
  value: {{ .Values.allowAnonymousAccess | quote }}
- name: INFRAHUB_TELEMETRY_OPTOUT
  value: {{ .Values.telemetryOptout | quote }}
- name: INFRAHUB_DB_TYPE
  value: neo4j
- name: INFRAHUB_DB_ADDRESS
  value: {{ include "infrahub.serviceName" (dict "root" . "service" "bolt") | quote }}
- name: INFRAHUB_DB_PORT
  value: {{ .Values.database.port | quote }}
- name: INFRAHUB_DB_USERNAME
  value: neo4j
- name: INFRAHUB_DB_PASSWORD
  {{- include "infrahub.internalRef" (dict "root" . "key" "database-password") | nindent 2 }}
- name: INFRAHUB_BROKER_ADDRESS
  value: {{ include "infrahub.serviceName" (dict "root" . "service" "message-queue") | quote }}
- name: INFRAHUB_BROKER_USERNAME
  value: {{ .Values.messageQueue.user | quote }}
- name: INFRAHUB_BROKER_PASSWORD
  {{- include "infrahub.internalRef" (dict "root" . "key" "broker-password") | nindent 2 }}
- name: INFRAHUB_CACHE_ADDRESS
  value: {{ include "infrahub.serviceName" (dict "root" . "service" "cache") | quote }}
- name: INFRAHUB_WORKFLOW_ADDRESS
  value: {{ include "infrahub.serviceName" (dict "root" . "service" "task-manager") | quote }}
- name: INFRAHUB_WORKFLOW_PORT
  value: {{ .Values.taskManager.port | quote }}
- name: PREFECT_API_URL
  value: {{ printf "http://%s:%v/api" (include "infrahub.serviceName" (dict "root" . "service" "task-manager")) .Values.taskManager.port | quote }}
- name: INFRAHUB_SECURITY_SECRET_KEY
  {{- include "infrahub.internalRef" (dict "root" . "key" "security-secret-key") | nindent 2 }}
{{- end }}
