{{/*
Chart name, truncated to the 63 characters Kubernetes allows in names.
*/}}
{{- define "sync-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: release-chart unless the release name already contains the chart name.
*/}}
{{- define "sync-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sync-server.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "sync-server.labels" -}}
helm.sh/chart: {{ include "sync-server.chart" . }}
{{ include "sync-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: converge
{{- end }}

{{/*
Selector labels: stable across upgrades, so never add version-dependent ones here.
*/}}
{{- define "sync-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sync-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sync-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sync-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository@digest when a digest is set, else repository:tag (tag defaults to appVersion).
*/}}
{{- define "sync-server.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Secret holding the database password, and its key.
*/}}
{{- define "sync-server.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-db" (include "sync-server.fullname" .) }}
{{- end }}
{{- end }}

{{- define "sync-server.databasePasswordKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretPasswordKey }}
{{- else }}
{{- "password" }}
{{- end }}
{{- end }}

{{/*
Secret holding the JWT public key, and the key (= file name) of the PEM in it.
*/}}
{{- define "sync-server.jwtSecretName" -}}
{{- if .Values.jwt.existingSecret }}
{{- .Values.jwt.existingSecret }}
{{- else }}
{{- printf "%s-jwt" (include "sync-server.fullname" .) }}
{{- end }}
{{- end }}

{{- define "sync-server.jwtKeyFile" -}}
{{- if .Values.jwt.existingSecret }}
{{- .Values.jwt.existingSecretKey }}
{{- else }}
{{- "public.pem" }}
{{- end }}
{{- end }}

{{/*
Where the JWT public key is mounted; MP_JWT_VERIFY_PUBLICKEY_LOCATION points at it.
*/}}
{{- define "sync-server.jwtMountDir" -}}
/etc/converge/jwt
{{- end }}

{{/*
Checks that the schema cannot express on its own; fail with a message naming the value.
*/}}
{{- define "sync-server.validate" -}}
{{- if and (not .Values.database.existingSecret) .Values.database.existingSecretUserKey }}
{{- fail "database.existingSecretUserKey needs database.existingSecret" }}
{{- end }}
{{- if and (not .Values.database.existingSecretUserKey) (not .Values.database.user) }}
{{- fail "set database.user (or database.existingSecret with database.existingSecretUserKey)" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.canary.enabled (not .Values.canary.existingSecret) }}
{{- fail "canary.enabled needs canary.existingSecret: a token for converge:canary, or a signing key the server trusts (docs/operations.md)" }}
{{- end }}
{{- end }}
