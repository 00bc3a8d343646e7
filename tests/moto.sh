#!/bin/sh
# Starts or stops a moto server (https://docs.getmoto.org) for pjob's AWS tests.
#
#   tests/moto.sh start   start moto on 127.0.0.1 (port $PJOB_MOTO_PORT, or a
#                         free one), wait until it answers, and print the
#                         environment the tests read (eval "$(tests/moto.sh start)")
#   tests/moto.sh env     print that environment again for a running server
#   tests/moto.sh url     print the running server's endpoint URL
#   tests/moto.sh stop    stop the server this script started
#
# State lives in $PJOB_MOTO_DIR (default: target/moto): moto.port, moto.pid
# and moto.log. Needs `moto_server` (pip install 'moto[server]').
set -eu

dir=${PJOB_MOTO_DIR:-target/moto}
port_file=$dir/moto.port
pid_file=$dir/moto.pid
log_file=$dir/moto.log

print_env() {
    port=$(cat "$port_file")
    echo "export PJOB_TEST_MOTO_ENDPOINT=http://127.0.0.1:$port"
    echo "export AWS_ACCESS_KEY_ID=testing"
    echo "export AWS_SECRET_ACCESS_KEY=testing"
    echo "export AWS_REGION=us-east-1"
}

running() {
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

case "${1:-}" in
start)
    if running; then
        print_env
        exit 0
    fi
    command -v moto_server >/dev/null 2>&1 || {
        echo "moto.sh: moto_server not found; install it with: pip install 'moto[server]'" >&2
        exit 1
    }
    mkdir -p "$dir"
    port=${PJOB_MOTO_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    moto_server -H 127.0.0.1 -p "$port" >"$log_file" 2>&1 &
    echo $! >"$pid_file"
    echo "$port" >"$port_file"
    tries=0
    until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -ge 100 ] || ! running; then
            echo "moto.sh: moto did not start on 127.0.0.1:$port; see $log_file" >&2
            exit 1
        fi
        sleep 0.2
    done
    print_env
    ;;
env)
    running || { echo "moto.sh: moto is not running (tests/moto.sh start)" >&2; exit 1; }
    print_env
    ;;
url)
    running || { echo "moto.sh: moto is not running (tests/moto.sh start)" >&2; exit 1; }
    echo "http://127.0.0.1:$(cat "$port_file")"
    ;;
stop)
    if running; then
        kill "$(cat "$pid_file")"
    fi
    rm -f "$pid_file" "$port_file"
    ;;
*)
    echo "usage: $0 start|env|url|stop" >&2
    exit 2
    ;;
esac
