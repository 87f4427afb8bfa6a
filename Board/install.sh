#!/bin/sh
# Installs edge-agent on a board: the binary, the board profiles, the model, a starting config and catalog, and the
# systemd unit, at the paths the unit expects. Run from a checkout after Board/build-release.sh.
#
#   sudo Board/install.sh                       # installs dist/edge-agent into /, enables and starts the service
#   Board/install.sh --root /tmp/stage --no-model --no-systemd   # stage into a folder, for a package or a test
#
# Options:
#   --root DIR        install under DIR instead of / (nothing outside DIR is touched)
#   --binary PATH     the binary to install (default: dist/edge-agent, what Board/build-release.sh writes)
#   --board NAME      the board profile whose memory limit goes into the unit (default: detected by the binary)
#   --no-model        do not fetch the model (it can be copied into <root>/usr/share/edge-agent/models later)
#   --no-systemd      do not reload, enable or start the unit
#
# A config or catalog already in <root>/etc/edge-agent is kept, never overwritten: edit those, then rerun freely.
set -eu

cd "$(dirname "$0")/.."
root=
binary=dist/edge-agent
board=
fetch_model=yes
systemd=yes
while [ $# -gt 0 ]; do
    case $1 in
    --root) root=${2:?--root needs a directory}; shift ;;
    --binary) binary=${2:?--binary needs a path}; shift ;;
    --board) board=${2:?--board needs a profile name}; shift ;;
    --no-model) fetch_model=no ;;
    --no-systemd) systemd=no ;;
    *)
        sed -n '2,16p' "$0" >&2
        exit 2
        ;;
    esac
    shift
done
root=${root%/}

say() { echo "install: $*"; }
die() {
    echo "install: error: $*" >&2
    exit 1
}

[ -x "$binary" ] || die "no binary at $binary: run Board/build-release.sh first, or give --binary PATH"
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then die "installing into / needs root (or use --root DIR)"; fi

share=$root/usr/share/edge-agent
etc=$root/etc/edge-agent

install -D -m 0755 "$binary" "$root/usr/bin/edge-agent"
say "binary     $root/usr/bin/edge-agent ($(stat -c %s "$binary") bytes)"

mkdir -p "$share/boards" "$share/models"
install -m 0644 Board/profiles/*.yaml "$share/boards/"
say "profiles   $share/boards ($(ls Board/profiles/*.yaml | wc -l) boards)"

install -m 0644 Models/manifest.json "$share/models/manifest.json"
if [ "$fetch_model" = yes ]; then
    EDGE_AGENT_MODELS=$share/models Models/fetch.sh >/dev/null
    say "model      $share/models (the manifest's default)"
else
    say "model      not fetched (--no-model); put it in $share/models"
fi

mkdir -p "$etc"
if [ -e "$etc/catalog.yaml" ]; then
    say "catalog    $etc/catalog.yaml kept"
else
    install -m 0644 Board/catalog/home.yaml "$etc/catalog.yaml"
    say "catalog    $etc/catalog.yaml (the sample home: replace it with yours)"
fi
if [ -e "$etc/agent.yaml" ]; then
    say "config     $etc/agent.yaml kept"
else
    sed -e 's|^catalog: .*|catalog: /etc/edge-agent/catalog.yaml|' Board/agent.yaml >"$etc/agent.yaml"
    chmod 0644 "$etc/agent.yaml"
    say "config     $etc/agent.yaml (set agent.id and broker.url)"
fi

# The unit's MemoryMax is the board profile's memory limit, which the agent reads back from its cgroup.
limit=
if [ -n "$board" ] || [ "$fetch_model" = yes ]; then
    report=$(EDGE_AGENT_BOARDS=$share/boards EDGE_AGENT_MODELS=$share/models \
        "$root/usr/bin/edge-agent" check --json ${board:+--board "$board"} 2>/dev/null || true)
    limit=$(printf '%s' "$report" | sed -n 's/.*{"mb":\([0-9.]*\),"source":"board profile"}.*/\1/p' | cut -d. -f1)
fi
unit=$root/etc/systemd/system/edge-agent.service
mkdir -p "$(dirname "$unit")"
if [ -n "$limit" ]; then
    sed -e "s/^MemoryMax=.*/MemoryMax=${limit}M/" Board/edge-agent.service >"$unit"
    say "unit       MemoryMax=${limit}M from the board profile"
else
    cp Board/edge-agent.service "$unit"
    say "unit       MemoryMax as shipped ($(sed -n 's/^MemoryMax=//p' Board/edge-agent.service)); give --board to set it"
fi
chmod 0644 "$unit"
say "unit       $root/etc/systemd/system/edge-agent.service"

if [ "$systemd" = yes ] && [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
    systemctl enable edge-agent.service
    say "enabled; start it with: systemctl start edge-agent (after editing /etc/edge-agent/agent.yaml)"
fi
