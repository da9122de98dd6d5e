# shellcheck shell=bash
# Finds or starts a PostgreSQL server and exports DATABASE_URL for mockexam.
#
#   . scripts/ensure-postgres.sh          (source it: it sets a variable in your shell)
#
# Tries, in order:
#   a. DATABASE_URL already set: kept as it is.
#   b. a server on 127.0.0.1:5432 where role `postgres` logs in without a password
#      (skipped when MOCKEXAM_FORCE_PRIVATE_PG=1).
#   c. a private cluster of this checkout, created on first use in .pgdata/ (git-ignored) and
#      started on 127.0.0.1:${MOCKEXAM_PG_PORT:-55432}. Needs the PostgreSQL server binaries.
#   d. otherwise says how to install PostgreSQL and returns 1.
# The URL names database ${MOCKEXAM_DB:-mockexam}; it need not exist (the app creates it), but
# the role must be allowed to CREATE DATABASE (the app does, and so does every #[sqlx::test]).
#
# Sourced, so: no `set -e`, no `exit`, `set -u`-safe, helper variables kept local.

mockexam_ensure_postgres() {
    local db=${MOCKEXAM_DB:-mockexam}
    local port=${MOCKEXAM_PG_PORT:-55432}

    # a. The caller knows best.
    if [[ -n ${DATABASE_URL:-} ]]; then
        echo "ensure-postgres: using the DATABASE_URL already set" >&2
        return 0
    fi

    # b. A server already running with trust auth. -w and no PGPASSWORD: fail, never prompt.
    # The query checks the role may create databases, not only that it can log in.
    if [[ ${MOCKEXAM_FORCE_PRIVATE_PG:-} != 1 ]] && command -v psql >/dev/null &&
        [[ $(env -u PGPASSWORD PGCONNECT_TIMEOUT=3 psql -w -X -q -At \
            "postgres://postgres@127.0.0.1:5432/postgres" \
            -c 'select rolsuper or rolcreatedb from pg_roles where rolname = current_user' \
            2>/dev/null) == t ]]; then
        export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
        echo "ensure-postgres: using the server on 127.0.0.1:5432 (role postgres, trust auth)" >&2
        return 0
    fi

    # c. A private cluster. Newest Debian-packaged server first, then whatever is on PATH.
    local bindir="" initdb
    initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
    if [[ -x $initdb ]]; then
        bindir=${initdb%/initdb}
    elif initdb=$(command -v initdb) && command -v pg_ctl >/dev/null; then
        bindir=${initdb%/initdb}
    fi
    if [[ -z $bindir ]]; then
        cat >&2 <<'EOF'
ensure-postgres: mockexam needs PostgreSQL, and none was found: nothing answers on
127.0.0.1:5432 without a password, and no server binaries (initdb, pg_ctl) are installed.
Install it (Debian/Ubuntu) with:  sudo apt-get install postgresql
and source this script again, or set DATABASE_URL to a server where you may CREATE DATABASE.
EOF
        return 1
    fi

    local project pgdata as_pg=() why=""
    project=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd) || return 1
    pgdata=$project/.pgdata
    if [[ $EUID -eq 0 ]]; then
        # initdb and postgres refuse to run as root: run them as the `postgres` OS user.
        if ! id -u postgres >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home postgres || return 1
        fi
        as_pg=(runuser -u postgres --)
        # e.g. a checkout under /root (mode 700)
        runuser -u postgres -- test -x "$project" || why="OS user postgres cannot reach $project"
    fi
    # The server's socket, $pgdata/.s.PGSQL.$port, must fit in 107 bytes.
    (( ${#pgdata} <= 80 )) || why="the path $pgdata is too long for a socket"
    if [[ -n $why ]]; then
        pgdata=/tmp/mockexam-pgdata-$(printf '%s' "$project" | sha256sum | cut -c 1-12)
        echo "ensure-postgres: $why; the private cluster lives in $pgdata instead" >&2
    fi
    if [[ $EUID -eq 0 && ! -d $pgdata ]]; then
        mkdir -m 700 -- "$pgdata" || return 1
        chown postgres:postgres -- "$pgdata" || return 1
    fi

    # `cd /`: the postgres user may not be allowed into the caller's working directory.
    # C.UTF-8 (always present on Debian) as on the shared server, whatever the caller's LANG.
    if [[ ! -f $pgdata/PG_VERSION ]]; then
        echo "ensure-postgres: creating a private cluster in $pgdata" >&2
        (cd / && "${as_pg[@]}" "$bindir/initdb" -D "$pgdata" --auth=trust --username=postgres \
            -E UTF8 --locale=C.UTF-8 >/dev/null) || return 1
    fi
    if ! (cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1); then
        # pg_ctl hands -o to /bin/sh, hence the inner quotes around the socket directory.
        if ! (cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" \
            -o "-p $port -k '$pgdata' -c listen_addresses=127.0.0.1" -w start >/dev/null); then
            echo "ensure-postgres: the private cluster in $pgdata did not start;" \
                "end of $pgdata/server.log:" >&2
            tail -n 5 -- "$pgdata/server.log" >&2
            return 1
        fi
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$db"
    echo "ensure-postgres: using the private cluster in $pgdata on 127.0.0.1:$port" \
        "(stop it with: ${as_pg[*]}${as_pg[*]:+ }$bindir/pg_ctl -D $pgdata stop)" >&2
}

if ! mockexam_ensure_postgres; then
    # shellcheck disable=SC2317  # `exit` is reached when the script is run rather than sourced
    return 1 2>/dev/null || exit 1
fi
# Run rather than sourced: print the setting, so `eval "$(scripts/ensure-postgres.sh)"` works too.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    printf 'export DATABASE_URL=%q\n' "$DATABASE_URL"
fi
