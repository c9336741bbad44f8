{{/* The name of every object of the release, and of its Secret unless auth.existingSecret. */}}
{{- define "etlworks-mcp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the pods. */}}
{{- define "etlworks-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "etlworks-mcp.labels" -}}
{{ include "etlworks-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret holding the confirm key (and the token-mode credentials). */}}
{{- define "etlworks-mcp.secretName" -}}
{{- .Values.auth.existingSecret | default (include "etlworks-mcp.fullname" .) -}}
{{- end -}}

{{/* A Secret value: the one given, else the one already in the cluster, else a new random one. */}}
{{- define "etlworks-mcp.secretValue" -}}
{{- $ctx := index . 0 -}}{{- $key := index . 1 -}}{{- $given := index . 2 -}}
{{- $existing := lookup "v1" "Secret" $ctx.Release.Namespace (include "etlworks-mcp.fullname" $ctx) -}}
{{- if $given -}}
{{- $given | b64enc -}}
{{- else if and $existing (index $existing.data $key) -}}
{{- index $existing.data $key -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end -}}

{{/* Refuses values the server would refuse at start, so a bad install fails at helm time. */}}
{{- define "etlworks-mcp.validate" -}}
{{- if not (has .Values.auth.mode (list "forward" "token")) -}}
{{- fail (printf "auth.mode %q: use forward (each caller sends their own Etlworks API key) or token (callers send one operator token); none is only for a loopback address" .Values.auth.mode) -}}
{{- end -}}
{{- if and (not .Values.tls.behindProxy) (not .Values.tls.secretName) -}}
{{- fail "keys would cross the network in clear text: keep tls.behindProxy (TLS ends at the ingress) or set tls.secretName" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "token") (not .Values.etlworks.apiKey) (not .Values.auth.existingSecret) -}}
{{- fail "auth.mode token acts with the server's own Etlworks key: set etlworks.apiKey, or auth.existingSecret with an api-key key" -}}
{{- end -}}
{{- if lt (int .Values.replicaCount) 1 -}}
{{- fail "replicaCount must be at least 1 (2 or more for a team)" -}}
{{- end -}}
{{- end -}}
