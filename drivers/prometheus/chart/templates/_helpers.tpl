{{- define "prometheus.selector" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/name: prometheus
app.kubernetes.io/component: server
{{- end }}

{{- define "prometheus.labels" -}}
{{ include "prometheus.selector" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trimPrefix "v" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "prometheus.serviceName" -}}
{{ .Values.service.name | default (printf "%s-prometheus" .Release.Name) }}
{{- end }}
