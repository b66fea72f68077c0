# Starting and stopping the services for scripts/up (sourced after common.sh).

# mt_url_with_db URL DB: the same libpq URL pointing at database DB.
mt_url_with_db() { printf '%s' "${1%/*}/$2"; }

# mt_url_without_credentials URL: postgresql://user:password@host:port/db -> postgresql://host:port/db.
mt_url_without_credentials() {
    local url="$1" scheme rest
    scheme="${url%%://*}"
    rest="${url#*://}"
    [ "$rest" = "${rest#*@}" ] || rest="${rest#*@}"
    printf '%s://%s' "$scheme" "$rest"
}

# mt_ensure_database ADMIN_URL NAME: create the database unless it exists.
mt_ensure_database() {
    local exists
    exists="$(psql "$1" -tAc "SELECT 1 FROM pg_database WHERE datname = '$2'")"
    [ "$exists" = 1 ] || psql "$1" -qc "CREATE DATABASE \"$2\"" >/dev/null
}

# mt_services_env BUILD LOCAL HTTP_PORT KAFKA_PORT CONTROL_URL COMPANY_ADMIN_URL: the services' environment.
# The admin URL (CREATEROLE, CREATEDB) is kept in MT_DEV_COMPANY_DB_ADMIN_URL and handed to mt-provisioner alone;
# the other services get the server without credentials (MT_COMPANY_DB_URL) and the role key file.
mt_services_env() {
    export MT_HTTP_PORT="$3" MT_KAFKA_BROKERS="127.0.0.1:$4" MT_KAFKA_DEV_PORT="$4"
    export MT_CONTROL_DB_URL="$5" MT_DEV_COMPANY_DB_ADMIN_URL="$6"
    export MT_COMPANY_DB_URL="$(mt_url_without_credentials "$6")"
    export MT_DB_ROLE_KEY_FILE="$2/db-role-key"
    [ -s "$MT_DB_ROLE_KEY_FILE" ] || { (umask 077; openssl rand -hex 32 | tr -d '\n' > "$MT_DB_ROLE_KEY_FILE"); }
    unset MT_COMPANY_DB_ADMIN_URL
    export MT_JWT_KEY_FILE="$2/jwt-secret" MT_SCRATCH_DIR="$2/scratch"
    # /metrics, /healthz and /readyz of each service, each on a port of its own.
    export MT_GATEWAY_METRICS_PORT="${MT_GATEWAY_METRICS_PORT:-9464}" MT_ANALYZER_METRICS_PORT="${MT_ANALYZER_METRICS_PORT:-9465}"
    export MT_INSERTER_METRICS_PORT="${MT_INSERTER_METRICS_PORT:-9466}"
    export MT_PROVISIONER_METRICS_PORT="${MT_PROVISIONER_METRICS_PORT:-9467}"
    # The dev broker answers a rejoin only after the session timeout: keep it short so restarted workers resume fast.
    export MT_KAFKA_PROP_SESSION_TIMEOUT_MS="${MT_KAFKA_PROP_SESSION_TIMEOUT_MS:-6000}"
    mkdir -p "$MT_SCRATCH_DIR"
}

# mt_start NAME LOCAL CMD...: run CMD in the background, log to LOCAL/logs/NAME.log, pid in LOCAL/run/NAME.pid.
mt_start() {
    local name="$1" local_dir="$2"; shift 2
    nohup "$@" >>"$local_dir/logs/$name.log" 2>&1 &
    echo $! > "$local_dir/run/$name.pid"
}

mt_services_stop() {
    local run_dir="$1" pidfile pid
    for pidfile in "$run_dir"/*.pid; do
        [ -e "$pidfile" ] || continue
        pid="$(cat "$pidfile")"
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
}

mt_services_start() {
    local build="$1" local_dir="$2"
    if [ -x "$build/services/kafka-dev/mt-kafka-dev" ]; then
        rm -f "$local_dir/run/kafka.ready"
        mt_start kafka-dev "$local_dir" "$build/services/kafka-dev/mt-kafka-dev" --port "$MT_KAFKA_DEV_PORT" \
            --ready-file "$local_dir/run/kafka.ready"
        local deadline=$((SECONDS + 30))
        until [ -s "$local_dir/run/kafka.ready" ]; do
            [ $SECONDS -lt $deadline ] || die "dev Kafka broker did not start (see $local_dir/logs/kafka-dev.log)"
            sleep 0.1
        done
    fi
    MT_METRICS_PORT="$MT_PROVISIONER_METRICS_PORT" MT_COMPANY_DB_ADMIN_URL="$MT_DEV_COMPANY_DB_ADMIN_URL" \
        mt_start provisioner "$local_dir" "$build/services/provisioner/mt-provisioner"
    MT_METRICS_PORT="$MT_GATEWAY_METRICS_PORT" mt_start gateway "$local_dir" "$build/services/gateway/mt-gateway"
    MT_METRICS_PORT="$MT_ANALYZER_METRICS_PORT" mt_start analyzer "$local_dir" "$build/services/analyzer/mt-analyzer"
    MT_METRICS_PORT="$MT_INSERTER_METRICS_PORT" mt_start inserter "$local_dir" "$build/services/inserter/mt-inserter"
    mt_wait_http "http://127.0.0.1:$MT_HTTP_PORT/api/v1/managed-tables/status" 30 \
        || { tail -n 20 "$local_dir/logs/gateway.log" >&2; die "gateway did not answer"; }
}
