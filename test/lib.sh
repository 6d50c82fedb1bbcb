# Shared by test/run.sh, test/demo.sh and test/bench/run.sh: install what is
# missing (Debian bookworm packages), then build and install leadqual.

PGVER=${PGVER:-15}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}

# as root run directly, otherwise through sudo
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

lq_install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing: ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

lq_base_packages=(postgresql-$PGVER postgresql-server-dev-$PGVER postgresql-common postgresql-contrib
                  build-essential libipc-run-perl)

lq_build_install() {
    echo "== building leadqual"
    make -s PG_CONFIG="$PG_CONFIG"
    $SUDO make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}
