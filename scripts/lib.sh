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
