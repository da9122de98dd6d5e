# shellcheck shell=bash
# Makes sure Chromium and ChromeDriver are installed for the browser tests and exports
# CHROME_BIN and CHROMEDRIVER_BIN.
#
#   . scripts/ensure-chromium.sh          (source it: it sets variables in your shell)
#
# CHROME_BIN / CHROMEDRIVER_BIN already set are kept; the default is Debian's /usr/bin/chromium
# and /usr/bin/chromedriver, installed with apt-get when missing and we are root.
# Sourced, so: no `set -e`, no `exit`, `set -u`-safe, helper variables kept local.

mockexam_ensure_chromium() {
    local chrome=${CHROME_BIN:-/usr/bin/chromium}
    local driver=${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}
    if [[ ! -x $chrome || ! -x $driver ]]; then
        if [[ $EUID -ne 0 ]]; then
            echo "ensure-chromium: the browser tests need $chrome and $driver; install them with:" \
                "sudo apt-get install chromium chromium-driver" >&2
            return 1
        fi
        echo "ensure-chromium: installing chromium and chromium-driver with apt-get" >&2
        # Quiet, but keep apt's output to show if it fails.
        local log
        log=$(mktemp) || return 1
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
            >"$log" 2>&1; then
            echo "ensure-chromium: apt-get failed; its last lines:" >&2
            tail -n 15 -- "$log" >&2
            rm -f -- "$log"
            return 1
        fi
        rm -f -- "$log"
        if [[ ! -x $chrome || ! -x $driver ]]; then
            echo "ensure-chromium: installed, but $chrome or $driver is still missing" >&2
            return 1
        fi
    fi
    export CHROME_BIN=$chrome CHROMEDRIVER_BIN=$driver
    echo "ensure-chromium: using $("$chrome" --version 2>/dev/null || echo "$chrome")" \
        "and $("$driver" --version 2>/dev/null | cut -d ' ' -f 1-2 || echo "$driver")" >&2
}

if ! mockexam_ensure_chromium; then
    # shellcheck disable=SC2317  # `exit` is reached when the script is run rather than sourced
    return 1 2>/dev/null || exit 1
fi
