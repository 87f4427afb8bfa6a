#!/usr/bin/env bash
# Installs what building and testing edge-agent need on Debian 12 (bookworm), and nothing that is already there.
# Runs as root, or through sudo otherwise. Prints nothing when there is nothing to do.
set -euo pipefail

# What is needed: a Debian package, and a check that passes when what the package provides is already usable
# (from that package or from elsewhere, such as a Python installed another way). Add a line to add a dependency.
requirements=(
    "python3        | python3 --version"        # Models/fetch.sh, Benchmarks/compare.py
    "python3-pip    | python3 -m pip --version" # Models/fetch.sh downloads model wheels with pip
    "pkg-config     | pkg-config --version"      # SwiftPM finds libmosquitto through it
    "libmosquitto-dev | pkg-config --exists libmosquitto && test -f /usr/include/mosquitto.h" # the MQTT target
    "libyaml-dev    | pkg-config --exists yaml-0.1 && test -f /usr/include/yaml.h" # the YAML target
    "mosquitto      | test -x /usr/sbin/mosquitto" # the broker the MQTT tests start
    "mosquitto-clients | command -v mosquitto_pub && command -v mosquitto_sub" # independent peers in the MQTT tests
    "openssl        | command -v openssl"         # the MQTT TLS tests make their certificates with it
    "libsqlite3-dev | pkg-config --exists sqlite3 && test -f /usr/include/sqlite3.h" # the cloud outbox (CSQLite)
    "gcc-aarch64-linux-gnu | command -v aarch64-linux-gnu-gcc" # the NEON kernels' parity test, built for ARM64
    "libc6-dev-arm64-cross | test -f /usr/aarch64-linux-gnu/include/stdint.h" # ... with ARM64's C library headers
    "qemu-user-static | command -v qemu-aarch64-static"         # ... and run under emulation
)

# Prints the packages whose checks fail.
unmet() {
    local requirement
    for requirement in "${requirements[@]}"; do
        if ! bash -c "${requirement#*|}" >/dev/null 2>&1; then
            echo "${requirement%%|*}" | xargs
        fi
    done
}

mapfile -t missing < <(unmet)

if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $EUID -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-deps: error: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    command -v apt-get >/dev/null 2>&1 || {
        echo "install-deps: error: no apt-get; install these by hand: ${missing[*]}" >&2
        exit 1
    }
    echo "install-deps: installing ${missing[*]}" >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    mapfile -t still < <(unmet)
    if [[ ${#still[@]} -gt 0 ]]; then
        echo "install-deps: error: installed ${missing[*]}, but the checks still fail for: ${still[*]};" \
            "another program on PATH may shadow Debian's (python3 is $(command -v python3 || echo missing))" >&2
        exit 1
    fi
fi

# Python modules for the python3 on PATH, which need not be Debian's (a pyenv or venv interpreter does not see
# Debian's python3-* packages): installed with that interpreter's own pip from PyPI. A line is "pip requirement |
# module to import".
python_modules=(
    "paho-mqtt==1.6.1 | paho.mqtt.client" # Benchmarks/agent_latency.py's MQTT peer (the 1.x client API)
)
for module in "${python_modules[@]}"; do
    requirement=$(echo "${module%%|*}" | xargs)
    name=$(echo "${module#*|}" | xargs)
    if ! python3 -c "import ${name}" >/dev/null 2>&1; then
        echo "install-deps: installing ${requirement} for $(command -v python3)" >&2
        python3 -m pip install -q --disable-pip-version-check "${requirement}" >&2
        python3 -c "import ${name}" >/dev/null 2>&1 || {
            echo "install-deps: error: installed ${requirement}, but python3 still cannot import ${name}" >&2
            exit 1
        }
    fi
done

# Swift is not a Debian package: a Swift 6 toolchain for Debian 12 is expected to be installed and on PATH.
if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: error: 'swift' is not on PATH; install a Swift 6 toolchain for Debian 12 and add its" \
        "usr/bin folder to PATH" >&2
    exit 1
fi
