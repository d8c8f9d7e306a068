# Shared by scripts/run, scripts/test and .ci/run: a virtualenv with the pinned requirements,
# and PostgreSQL/Redis/Chromium brought up (installed from Debian's packages when missing).

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
APT_UPDATED=""

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

apt_install() {
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -q >&2; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# ensure_venv FILE...: create $VENV and install the pinned files, skipped when nothing changed.
ensure_venv() {
  local files=("$@") stamp sum
  [ ${#files[@]} -gt 0 ] || files=(requirements.txt)
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV" || { apt_install python3-venv && "$PYTHON" -m venv "$VENV"; }
  fi
  sum=$(cat "${files[@]}" requirements.txt | sha256sum | cut -c1-16)
  stamp="$VENV/.installed-$sum"
  if [ ! -f "$stamp" ]; then
    log "installing ${files[*]}"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check $(printf -- '-r %s ' "${files[@]}")
    touch "$stamp"
  fi
}

PG_URL_DEFAULT="postgres://postgres:postgres@127.0.0.1:5432/cxportal"

pg_answers() { PGPASSWORD=postgres PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if command -v psql >/dev/null && pg_answers; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null; then log "installing PostgreSQL"; apt_install postgresql; fi
  local version
  version=$(ls /etc/postgresql | sort -n | tail -1)
  if [ -z "$version" ]; then log "creating a PostgreSQL cluster"; version=$(ls /usr/lib/postgresql | sort -n | tail -1); as_root pg_createcluster "$version" main >&2; fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 60); do pg_answers && return 0; pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  if ! pg_answers; then
    # A freshly installed cluster asks for a password over TCP: give the postgres role one.
    log "setting the postgres role's password for local TCP connections"
    as_root runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >&2
  fi
  for _ in $(seq 1 30); do pg_answers && return 0; sleep 0.5; done
  log "PostgreSQL does not answer on 127.0.0.1:5432"; return 1
}

redis_answers() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  if command -v redis-cli >/dev/null && redis_answers; then return 0; fi
  if ! command -v redis-server >/dev/null; then log "installing Redis"; apt_install redis-server; fi
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2
  for _ in $(seq 1 40); do redis_answers && return 0; sleep 0.25; done
  log "Redis does not answer on 127.0.0.1:6379"; return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  log "installing Debian's chromium for the browser tests"
  apt_install chromium fonts-dejavu-core
}

# ensure_dovecot: a throwaway Dovecot IMAP server (TLS on a free loopback port) for the inbox tests,
# like PostgreSQL and Redis; installed from Debian's packages when missing. It runs unprivileged (as
# the calling user, or as Debian's `dovecot` user when called as root) with its own configuration,
# certificate, one mailbox user and a maildir, all in a temporary folder. Exports CX_TEST_IMAP_URL
# (imaps://user:password@127.0.0.1:port/INBOX) and CX_TEST_IMAP_CAFILE (its certificate);
# stop_dovecot takes it down and removes the folder. Skipped when CX_TEST_IMAP_URL is already set.
DOVECOT_DIR=""

ensure_dovecot() {
  if [ -n "${CX_TEST_IMAP_URL:-}" ]; then return 0; fi
  if ! command -v dovecot >/dev/null; then log "installing Dovecot (IMAP) for the inbox tests"; apt_install dovecot-imapd openssl; fi
  local run_as group port dh=""
  run_as=$(id -un)
  if [ "$(id -u)" = 0 ]; then run_as=dovecot; fi
  group=$(id -gn "$run_as")
  DOVECOT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cx-dovecot.XXXXXX")
  port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$DOVECOT_DIR/key.pem" -out "$DOVECOT_DIR/cert.pem" >/dev/null 2>&1
  echo "cxinbox:{PLAIN}inbox-test-password" >"$DOVECOT_DIR/passwd"
  [ -r /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail"
  cat >"$DOVECOT_DIR/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
default_internal_user = $run_as
default_internal_group = $group
default_login_user = $run_as
first_valid_uid = 1
ssl = required
ssl_cert = <$DOVECOT_DIR/cert.pem
ssl_key = <$DOVECOT_DIR/key.pem
$dh
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DOVECOT_DIR/passwd
}
userdb {
  driver = static
  args = uid=$run_as gid=$group home=$DOVECOT_DIR/mail/%u
}
mail_location = maildir:$DOVECOT_DIR/mail/%u/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $port
    ssl = yes
  }
}
service anvil {
  chroot =
}
EOF
  if [ "$(id -u)" = 0 ]; then chown -R "$run_as:$group" "$DOVECOT_DIR"; fi
  log "starting Dovecot (IMAP over TLS) on 127.0.0.1:$port"
  if [ "$(id -u)" = 0 ]; then runuser -u "$run_as" -- dovecot -c "$DOVECOT_DIR/dovecot.conf" >&2
  else dovecot -c "$DOVECOT_DIR/dovecot.conf" >&2; fi
  for _ in $(seq 1 40); do
    if "$PYTHON" -c "import socket, sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
      export CX_TEST_IMAP_URL="imaps://cxinbox:inbox-test-password@127.0.0.1:$port/INBOX"
      export CX_TEST_IMAP_CAFILE="$DOVECOT_DIR/cert.pem"
      return 0
    fi
    sleep 0.25
  done
  log "Dovecot does not answer on 127.0.0.1:$port"; cat "$DOVECOT_DIR/dovecot.log" >&2 2>/dev/null; return 1
}

stop_dovecot() {
  if [ -n "$DOVECOT_DIR" ] && [ -f "$DOVECOT_DIR/run/master.pid" ]; then
    kill "$(cat "$DOVECOT_DIR/run/master.pid")" 2>/dev/null || true
    for _ in $(seq 1 20); do [ -f "$DOVECOT_DIR/run/master.pid" ] || break; sleep 0.1; done
  fi
  if [ -n "$DOVECOT_DIR" ]; then rm -rf "$DOVECOT_DIR"; fi
  DOVECOT_DIR=""
}
