#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, in a folder of its own (data, log and socket), on a random port:
#   eng/postgres-cluster.sh start FOLDER   initdb + start; prints the server's connection string on stdout
#   eng/postgres-cluster.sh stop FOLDER    stops it at once and deletes FOLDER
# PostgreSQL refuses to run as root, so under root the server runs as `nobody` (runuser), owning FOLDER.
# Durability is off (fsync, synchronous_commit, full_page_writes): this cluster holds test data only.
# Needs the server binaries (Debian: the `postgresql` package; eng/install-prereqs.sh installs it).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: eng/postgres-cluster.sh start|stop FOLDER" >&2; exit 2; }
action=$1; dir=$2

bin=""
for c in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(pg_config --bindir 2>/dev/null || true)"; do
  [ -x "$c/initdb" ] && { bin=$c; break; }
done
[ -n "$bin" ] || { echo "postgres-cluster: initdb not found; install Debian's postgresql package (eng/install-prereqs.sh)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown nobody "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5 6 7 8; do
      port=$(( 20000 + RANDOM % 40000 ))
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
          "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
          >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
        exit 0
      fi
    done
    echo "postgres-cluster: the server did not start (last log lines follow)" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: eng/postgres-cluster.sh start|stop FOLDER" >&2; exit 2 ;;
esac
