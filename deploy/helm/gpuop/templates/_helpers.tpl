{{/* The chart's name and version, as the helm.sh/chart label wants them. */}}
{{- define "gpuop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of every operator object (ServiceAccount, RBAC, Deployment): fixed, as NVIDIA's gpu-operator is. */}}
{{- define "gpuop.operatorName" -}}
gpuop-operator
{{- end -}}

{{/* Labels on every object the chart renders. */}}
{{- define "gpuop.labels" -}}
app.kubernetes.io/name: gpuop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "gpuop.chart" . }}
{{- end -}}

{{/* Labels that select the operator's pods (the node agent's pods share name and instance, not component). */}}
{{- define "gpuop.selectorLabels" -}}
app.kubernetes.io/name: gpuop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Labels on the operator's own objects (ServiceAccount, RBAC, Deployment, Service). */}}
{{- define "gpuop.operatorLabels" -}}
{{ include "gpuop.labels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* The operator's image, repository:tag (repository@digest for a sha256: tag); the node agent's by default. */}}
{{- define "gpuop.operatorImage" -}}
{{- $image := .Values.operator.image -}}
{{- if not (kindIs "map" $image) -}}
{{- $hint := "(NVIDIA's chart has operator.image: gpu-operator; gpuop's is operator.image.repository)" -}}
{{- fail (printf "operator.image must be a map {repository, tag, pullPolicy}, not %q %s" (toString $image) $hint) -}}
{{- end -}}
{{- $repository := required "operator.image.repository must be set" $image.repository -}}
{{- $tag := $image.tag | default .Chart.AppVersion | toString -}}
{{- if hasPrefix "sha256:" $tag -}}
{{- printf "%s@%s" $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
Image pull secrets for a pod spec: NVIDIA's plain names and Kubernetes' {name: ...} entries both work.
*/}}
{{- define "gpuop.imagePullSecrets" -}}
{{- range . }}
{{- if kindIs "map" . }}
- name: {{ required "every imagePullSecrets entry needs a name" .name | quote }}
{{- else }}
- name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
An environment list as the ClusterPolicy wants it: {name, value} entries, values as strings (--set makes
`true` a boolean and `1` a number, the CRD takes strings only).
*/}}
{{- define "gpuop.envList" -}}
{{- $env := list -}}
{{- range $e := . -}}
{{- $item := dict "name" (required "every env entry needs a name" $e.name | toString) -}}
{{- if not (kindIs "invalid" $e.value) -}}
{{- $_ := set $item "value" (toString $e.value) -}}
{{- end -}}
{{- $env = append $env $item -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/*
The keys of a values map that are set, as YAML: (list SOURCE KEYS). Empty strings, lists and maps are left out so
the ClusterPolicy only says what the user said; booleans are kept, false included. `env` goes through gpuop.envList,
imagePullSecrets become plain names (the ClusterPolicy's form), args and a numeric version strings.
*/}}
{{- define "gpuop.pick" -}}
{{- $src := index . 0 | default dict -}}
{{- $out := dict -}}
{{- range $key := index . 1 -}}
{{- if hasKey $src $key -}}
{{- $v := index $src $key -}}
{{- if and (eq $key "env") $v -}}
{{- $v = include "gpuop.envList" $v | fromYamlArray -}}
{{- else if and (eq $key "imagePullSecrets") $v -}}
{{- $names := list -}}
{{- range $s := $v -}}
{{- if kindIs "map" $s -}}
{{- $names = append $names (required "every imagePullSecrets entry needs a name" $s.name | toString) -}}
{{- else -}}
{{- $names = append $names (toString $s) -}}
{{- end -}}
{{- end -}}
{{- $v = $names -}}
{{- else if and (eq $key "version") (or (kindIs "float64" $v) (kindIs "int64" $v)) -}}
{{- $v = toString $v -}}
{{- else if and (eq $key "args") $v -}}
{{- $args := list -}}
{{- range $a := $v -}}
{{- $args = append $args (toString $a) -}}
{{- end -}}
{{- $v = $args -}}
{{- end -}}
{{- if or (kindIs "bool" $v) (not (empty $v)) -}}
{{- $_ := set $out $key $v -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Like gpuop.pick, for settings where 0 and false mean something: keeps every value but null and "". */}}
{{- define "gpuop.pickSet" -}}
{{- $src := index . 0 | default dict -}}
{{- $out := dict -}}
{{- range $key := index . 1 -}}
{{- $v := index $src $key -}}
{{- if not (or (kindIs "invalid" $v) (and (kindIs "string" $v) (eq $v ""))) -}}
{{- $_ := set $out $key $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The fields every operand section of the ClusterPolicy shares (ComponentSpec). */}}
{{- define "gpuop.componentKeys" -}}
enabled repository image version imagePullPolicy imagePullSecrets resources env args
{{- end -}}
