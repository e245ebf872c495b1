# bench/httpd.sh - the optional 09-epoll/httpd / nginx comparison of
# `make bench` (sourced by bench.sh), when nginx and wrk are installed.
#
#   nginx_vs_httpd   # both under wrk -t1 -c100, unpinned, runs alternating
#
# free_port : a loopback port below the ephemeral range that nothing uses
# now (nginx cannot be told to take port 0 and report it).
free_port() {
    local port tries
    for ((tries = 0; tries < 50; tries++)); do
        port=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
            echo "$port"
            return 0
        }
    done
    return 1
}

# wrk_run KEY LABEL RUN PORT PGID : one wrk run; rows as measure's.
wrk_run() {
    local key=$1 label=$2 run=$3 port=$4 pgid=$5 before after out="$BENCH_TMP/wrk.out"
    local sw0 sw1
    before=$(group_ticks "$pgid")
    sw0=$(machine_switches)
    run_job "$out" timeout $((WRK_SECONDS + 20)) wrk -t1 -c100 \
        -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/"
    local status=$?
    sw1=$(machine_switches)
    after=$(group_ticks "$pgid")
    awk -v k="$key" -v label="$label" -v run="$run" -v ticks="$TICKS" \
        -v cpu="$((after - before))" -v status="$status" \
        -v switches="$((sw1 - sw0))" '
        / requests in / { requests = $1 }
        /^Requests\/sec:/ { rate = $2 }
        /Non-2xx|Socket errors/ { errors++ }
        /^    Latency/ { lat = $2 }
        END {
            split(k, key, "|")
            if (lat ~ /us$/) lat = lat / 1000; else if (lat ~ /ms$/) lat = lat + 0
            else if (lat ~ /s$/) lat = lat * 1000
            printf "%s\t%s\t%s\thttp\t100\t%s\t%.0f\t%.3f\t-\t%d\t%d\t%.1f\t%d\t0\t%s\n",
                k, key[1], label, run, rate, lat, errors, requests,
                (requests > 0 ? cpu * 1000000 / ticks / requests : 0), status,
                (requests > 0 ? sprintf("%.2f", switches / requests) : "-")
        }' "$out" >>"$ROWS"
}

# nginx_vs_httpd : optional; nginx (one worker, its config in our temp dir,
# a free port below 32768, nothing written outside the temp dir) against
# 09-epoll/httpd, both under wrk -t1 -c100, unpinned.
nginx_vs_httpd() {
    local dir="$BENCH_TMP/nginx" port run ngx_pid httpd_pid httpd_port i
    if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
        note "nginx or wrk not installed (apt-get install -y nginx-light wrk): no httpd / nginx comparison"
        return 0
    fi
    port=$(free_port) || return 0
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    scgi_temp_path $dir/scgi;
    uwsgi_temp_path $dir/uwsgi;
    server {
        listen 127.0.0.1:$port;
        location / { default_type text/plain; return 200 "hello from nginx\n"; }
    }
}
EOF
    setsid nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
        >"$dir/out" 2>&1 </dev/null &
    ngx_pid=$!
    STARTED_GROUPS+=("$ngx_pid")
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    if ! server_start "$BENCH_TMP/httpd" "$KIT_ROOT/09-epoll/httpd" -q 0; then
        server_stop "$ngx_pid"
        return 1
    fi
    httpd_pid=$SERVER_PID httpd_port=$SERVER_PORT
    for ((run = 1; run <= RUNS; run++)); do
        wrk_run "wrk|nginx|100|none" "nginx, 1 worker" "$run" "$port" "$ngx_pid"
        wrk_run "wrk|09-epoll/httpd|100|none" "09-epoll/httpd" "$run" \
            "$httpd_port" "$httpd_pid"
    done
    progress "wrk|nginx|100|none" "nginx (wrk -t1 -c100)"
    progress "wrk|09-epoll/httpd|100|none" "09-epoll/httpd (wrk -t1 -c100)"
    server_stop "$httpd_pid" || note "09-epoll/httpd did not exit 0 on SIGTERM"
    server_stop "$ngx_pid" || true # nginx exits 0 on SIGTERM only as master
    compare "09-epoll/httpd / nginx (1 worker), wrk -t1 -c100" \
        "wrk|09-epoll/httpd|100|none" "wrk|nginx|100|none" none ">= 1.0"
    compare_cpu "09-epoll/httpd / nginx (1 worker), CPU us/request" \
        "wrk|09-epoll/httpd|100|none" "wrk|nginx|100|none" none "<= 1.0"
}
