# Sourced by test.sh and bench/ui-at-size.sh: a private PostgreSQL server for one run. Needs pg_bin (the server's bin
# folder) set by the caller; runs as the postgres user when we are root.
#
#   start_postgres FIRST_PORT   initdb into a temp directory (pg_dir), a free port from FIRST_PORT up, start, create
#                               the database bridgekeeper; sets pg_dir, pg_port and pg_url. pg_dir/pg_ctl.sh runs pg_ctl
#                               on this server as the right user (the durability tests stop and restart it with it).
#   stop_postgres               stops it at once and removes pg_dir (keep_postgres=1 keeps the data directory)

start_postgres() {
  # Below the kernel's ephemeral range (32768-60999), so no outgoing connection can hold the port.
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  pg_dir=$(mktemp -d /tmp/bk-pg.XXXXXX) || return 1
  local run_as=""
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$pg_dir" || return 1
    run_as="su postgres -c"
  fi
  chmod 700 "$pg_dir"
  if [ -n "$run_as" ]; then
    printf '#!/bin/sh\nexec su postgres -c "%s/pg_ctl -D %s/data -l %s/log -w $*"\n' "$pg_bin" "$pg_dir" "$pg_dir" >"$pg_dir/pg_ctl.sh"
  else
    printf '#!/bin/sh\nexec %s/pg_ctl -D %s/data -l %s/log -w "$@"\n' "$pg_bin" "$pg_dir" "$pg_dir" >"$pg_dir/pg_ctl.sh"
  fi
  chmod 755 "$pg_dir/pg_ctl.sh"
  local initdb="$pg_bin/initdb -D $pg_dir/data -A trust -U postgres -E UTF8 --no-locale"
  if [ -n "$run_as" ]; then $run_as "$initdb" >"$pg_dir/initdb.log" 2>&1; else $initdb >"$pg_dir/initdb.log" 2>&1; fi || {
    cat "$pg_dir/initdb.log" >&2; return 1; }
  cat >>"$pg_dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_dir'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  # A port can be taken between the check above and the bind: then the next one, a few times.
  local tries=0
  until "$pg_dir/pg_ctl.sh" start >/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ] || ! grep -q "Address already in use" "$pg_dir/log"; then cat "$pg_dir/log" >&2; return 1; fi
    port=$((port + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    sed -i "s/^port = .*/port = $port/" "$pg_dir/data/postgresql.conf"
  done
  "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres bridgekeeper || return 1
  pg_port=$port
  pg_url="postgres://postgres@127.0.0.1:$port/bridgekeeper"
}

stop_postgres() {
  if [ -n "${pg_dir:-}" ] && [ -d "$pg_dir/data" ]; then "$pg_dir/pg_ctl.sh" stop -m immediate >/dev/null 2>&1 || true; fi
  if [ -n "${pg_dir:-}" ]; then
    if [ -n "${keep_postgres:-}" ]; then echo "kept $pg_dir (start it with $pg_dir/pg_ctl.sh start)" >&2; else rm -rf "$pg_dir"; fi
  fi
  pg_dir=""
}
