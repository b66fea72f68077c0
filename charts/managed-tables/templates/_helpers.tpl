{{/* Names, labels, images and the environment shared by the templates. */}}

{{- define "mt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mt.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mt.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mt.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: managed-tables
{{- end -}}

{{- define "mt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mt.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Image reference: include "mt.image" (list $ "mt-gateway") */}}
{{- define "mt.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- with $root.Values.image.registry }}{{ . }}/{{ end }}{{ $name }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- end -}}

{{- define "mt.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mt.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mt.secretName" -}}
{{- default (include "mt.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "mt.roleKeySecretName" -}}
{{- default (printf "%s-role-key" (include "mt.fullname" .)) .Values.database.roleKey.existingSecret -}}
{{- end -}}

{{- define "mt.provisionerSecretName" -}}
{{- default (printf "%s-provisioner" (include "mt.fullname" .)) .Values.provisioner.existingSecret -}}
{{- end -}}

{{/* The master key the company role passwords derive from (MT_DB_ROLE_KEY_FILE): every process that connects as a
company role mounts it. Argument: the Secret's name. */}}
{{- define "mt.volume.roleKey" -}}
- name: role-key
  secret:
    secretName: {{ index . 1 }}
    defaultMode: 0440
    items:
      - key: {{ (index . 0).Values.database.roleKey.secretKey }}
        path: key
{{- end -}}

{{- define "mt.volumeMount.roleKey" -}}
- name: role-key
  mountPath: /etc/mt/db-role-key
  readOnly: true
{{- end -}}

{{- define "mt.jwtSecretName" -}}
{{- default (printf "%s-jwt" (include "mt.fullname" .)) .Values.jwt.existingSecret -}}
{{- end -}}

{{/* ConfigMap data shared by every service: Kafka and the metrics port. */}}
{{- define "mt.config.common" -}}
MT_KAFKA_BROKERS: {{ required "kafka.brokers is required" .Values.kafka.brokers | quote }}
MT_METRICS_PORT: {{ .Values.metrics.port | int64 | quote }}
MT_COMPANY_DB_URL: {{ required "database.companyUrl is required" .Values.database.companyUrl | quote }}
MT_DB_ROLE_KEY_FILE: "/etc/mt/db-role-key/key"
{{- range $name, $value := .Values.kafka.properties }}
{{ printf "MT_KAFKA_PROP_%s" ($name | replace "." "_" | replace "-" "_" | upper) }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{- define "mt.config.gateway" -}}
MT_HTTP_PORT: {{ .Values.gateway.httpPort | int64 | quote }}
MT_HTTP_ADDRESS: "0.0.0.0"
MT_HTTP_THREADS: {{ .Values.gateway.httpThreads | int64 | quote }}
MT_HTTP_WORKERS: {{ .Values.gateway.httpWorkers | int64 | quote }}
MT_HTTP_QUEUE: {{ .Values.gateway.httpQueue | int64 | quote }}
MT_HTTP_MAX_INFLIGHT_BODY_BYTES: {{ .Values.gateway.maxInflightBodyBytes | int64 | quote }}
MT_HTTP_HEAD_TIMEOUT_MS: {{ .Values.gateway.headTimeoutMs | int64 | quote }}
MT_HTTP_BODY_TIMEOUT_MS: {{ .Values.gateway.bodyTimeoutMs | int64 | quote }}
MT_SCRATCH_DIR: "/tmp"
MT_MAX_REQUEST_BYTES: {{ .Values.gateway.maxRequestBytes | int64 | quote }}
MT_MAX_JSON_BYTES: {{ .Values.gateway.maxJsonBytes | int64 | quote }}
MT_MAX_UPLOAD_BYTES: {{ .Values.gateway.maxUploadBytes | int64 | quote }}
MT_MAX_UPLOAD_FILES: {{ .Values.gateway.maxUploadFiles | int64 | quote }}
MT_CORS_ALLOWED_ORIGINS: {{ .Values.gateway.corsAllowedOrigins | join "," | quote }}
MT_CONTROL_DB_POOL: {{ .Values.database.controlPool | int64 | quote }}
MT_COMPANY_DB_POOL: {{ .Values.database.companyPool | int64 | quote }}
MT_DB_MAX_CONNECTIONS: {{ .Values.database.maxConnections | int64 | quote }}
MT_DB_MAX_COMPANY_POOLS: {{ .Values.database.maxCompanyPools | int64 | quote }}
MT_DB_IDLE_CONNECTION_MS: {{ .Values.database.idleConnectionMs | int64 | quote }}
MT_DB_ACQUIRE_TIMEOUT_MS: {{ .Values.database.acquireTimeoutMs | int64 | quote }}
MT_DB_STATEMENT_TIMEOUT_MS: {{ .Values.database.statementTimeoutMs | int64 | quote }}
MT_DB_LOCK_TIMEOUT_MS: {{ .Values.database.lockTimeoutMs | int64 | quote }}
MT_DB_IDLE_IN_TRANSACTION_MS: {{ .Values.database.idleInTransactionMs | int64 | quote }}
MT_DDL_LOCK_TIMEOUT_MS: {{ .Values.database.ddlLockTimeoutMs | int64 | quote }}
MT_TABLE_RECONCILE_SECONDS: {{ .Values.database.tableReconcileSeconds | int64 | quote }}
MT_AUDIT_RETENTION_DAYS: {{ .Values.gateway.auditRetentionDays | int64 | quote }}
MT_JWT_ALG: {{ .Values.jwt.alg | quote }}
MT_JWT_LEEWAY_SECONDS: {{ .Values.jwt.leewaySeconds | int64 | quote }}
MT_JWT_AUDIENCE: {{ .Values.jwt.audience | default "" | quote }}
MT_JWT_ISSUER: {{ .Values.jwt.issuer | default "" | quote }}
MT_JWT_KEY_FILE: "/etc/mt/jwt/key"
MT_RATE_LIMIT_ENABLED: {{ .Values.rateLimit.enabled | quote }}
MT_RATE_LIMIT_READS_PER_MINUTE: {{ .Values.rateLimit.readsPerMinute | int64 | quote }}
MT_RATE_LIMIT_WRITES_PER_MINUTE: {{ .Values.rateLimit.writesPerMinute | int64 | quote }}
{{- with .Values.rateLimit.keyReadsPerMinute }}
MT_RATE_LIMIT_KEY_READS_PER_MINUTE: {{ . | int64 | quote }}
{{- end }}
{{- with .Values.rateLimit.keyWritesPerMinute }}
MT_RATE_LIMIT_KEY_WRITES_PER_MINUTE: {{ . | int64 | quote }}
{{- end }}
MT_REDIS_URL: {{ include "mt.redisUrl" . | quote }}
MT_REDIS_TIMEOUT_MS: {{ .Values.redis.timeoutMs | int64 | quote }}
MT_QUOTA_TABLES: {{ .Values.quotas.tables | int64 | quote }}
MT_QUOTA_CONCURRENT_JOBS: {{ .Values.quotas.concurrentJobs | int64 | quote }}
MT_QUOTA_UPLOAD_BYTES: {{ .Values.quotas.uploadBytes | int64 | quote }}
{{- end -}}

{{/* The Redis of the rate limits: the release's own (redis.deploy) or redis.url. */}}
{{- define "mt.redisUrl" -}}
{{- if .Values.redis.deploy -}}
{{- printf "redis://%s-redis:%d" (include "mt.fullname" .) (.Values.redis.port | int) -}}
{{- else if .Values.rateLimit.enabled -}}
{{- required "redis.url is required when redis.deploy is false and rateLimit.enabled" .Values.redis.url -}}
{{- else -}}
{{- .Values.redis.url -}}
{{- end -}}
{{- end -}}

{{- define "mt.config.analyzer" -}}
MT_SCRATCH_DIR: "/scratch"
MT_KAFKA_GROUP: {{ .Values.analyzer.kafkaGroup | quote }}
MT_DB_MAX_CONNECTIONS: {{ .Values.database.workers.maxConnections | int64 | quote }}
MT_DB_IDLE_CONNECTION_MS: {{ .Values.database.idleConnectionMs | int64 | quote }}
MT_DB_STATEMENT_TIMEOUT_MS: {{ .Values.database.workers.statementTimeoutMs | int64 | quote }}
MT_DB_LOCK_TIMEOUT_MS: {{ .Values.database.workers.lockTimeoutMs | int64 | quote }}
MT_DB_IDLE_IN_TRANSACTION_MS: {{ .Values.database.workers.idleInTransactionMs | int64 | quote }}
MT_LEASE_SECONDS: {{ .Values.analyzer.leaseSeconds | int64 | quote }}
MT_SWEEP_INTERVAL_MS: {{ .Values.analyzer.sweepIntervalMs | int64 | quote }}
MT_QUEUED_GRACE_SECONDS: {{ .Values.analyzer.queuedGraceSeconds | int64 | quote }}
MT_MAX_ATTEMPTS: {{ .Values.analyzer.maxAttempts | int64 | quote }}
MT_UNCONFIRMED_JOB_TTL_HOURS: {{ .Values.analyzer.unconfirmedJobTtlHours | int64 | quote }}
MT_INSERT_PART_ROWS: {{ .Values.analyzer.insertPartRows | int64 | quote }}
MT_APPEND_DIRECT_MAX_ROWS: {{ .Values.analyzer.appendDirectMaxRows | int64 | quote }}
MT_MAX_JOB_BYTES: {{ .Values.analyzer.maxJobBytes | int64 | quote }}
MT_MAX_JOB_ROWS: {{ .Values.analyzer.maxJobRows | int64 | quote }}
MT_MAX_ROW_BYTES: {{ .Values.analyzer.maxRowBytes | int64 | quote }}
{{- end -}}

{{- define "mt.config.inserter" -}}
MT_SCRATCH_DIR: "/scratch"
MT_KAFKA_GROUP: {{ .Values.inserter.kafkaGroup | quote }}
MT_DB_MAX_CONNECTIONS: {{ .Values.database.workers.maxConnections | int64 | quote }}
MT_DB_IDLE_CONNECTION_MS: {{ .Values.database.idleConnectionMs | int64 | quote }}
MT_DB_STATEMENT_TIMEOUT_MS: {{ .Values.database.workers.statementTimeoutMs | int64 | quote }}
MT_DB_LOCK_TIMEOUT_MS: {{ .Values.database.workers.lockTimeoutMs | int64 | quote }}
MT_DB_IDLE_IN_TRANSACTION_MS: {{ .Values.database.workers.idleInTransactionMs | int64 | quote }}
MT_LEASE_SECONDS: {{ .Values.inserter.leaseSeconds | int64 | quote }}
MT_SWEEP_INTERVAL_MS: {{ .Values.inserter.sweepIntervalMs | int64 | quote }}
MT_QUEUED_GRACE_SECONDS: {{ .Values.inserter.queuedGraceSeconds | int64 | quote }}
MT_MAX_ATTEMPTS: {{ .Values.inserter.maxAttempts | int64 | quote }}
{{- end -}}

{{- define "mt.config.provisioner" -}}
MT_COMPANY_ROLE_CONNECTION_LIMIT: {{ .Values.provisioner.roleConnectionLimit | int64 | quote }}
MT_COMPANY_ROLE_STATEMENT_TIMEOUT_MS: {{ .Values.provisioner.roleStatementTimeoutMs | int64 | quote }}
MT_COMPANY_ROLE_LOCK_TIMEOUT_MS: {{ .Values.provisioner.roleLockTimeoutMs | int64 | quote }}
MT_COMPANY_ROLE_IDLE_IN_TRANSACTION_TIMEOUT_MS: {{ .Values.provisioner.roleIdleInTransactionTimeoutMs | int64 | quote }}
MT_PROVISION_POLL_MS: {{ .Values.provisioner.pollMs | int64 | quote }}
{{- end -}}

{{/* Secret data (stringData): the control database URL and secret Kafka properties (never the admin URL). */}}
{{- define "mt.secret.env" -}}
MT_CONTROL_DB_URL: {{ required "database.controlUrl is required (or set existingSecret)" .Values.database.controlUrl | quote }}
{{- range $name, $value := .Values.kafka.secretProperties }}
{{ printf "MT_KAFKA_PROP_%s" ($name | replace "." "_" | replace "-" "_" | upper) }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* The Kafka TLS volume (when configured) and the mounts every service has: /tmp and the Kafka TLS files. */}}
{{- define "mt.volumes.kafkaTls" -}}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
{{- end }}
{{- end -}}

{{- define "mt.volumeMounts.common" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: {{ .Values.kafka.tls.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pod annotations: config checksums (roll pods on change) and Prometheus scrape hints. */}}
{{- define "mt.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | int64 | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}
