{{- define "grafana.selector" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/name: grafana
app.kubernetes.io/component: grafana
{{- end }}

{{- define "grafana.labels" -}}
{{ include "grafana.selector" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "grafana.serviceName" -}}
{{ .Values.service.name | default (printf "%s-grafana" .Release.Name) }}
{{- end }}
