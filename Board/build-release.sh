#!/bin/sh
# Builds the release binary, strips a copy into dist/, and prints its size and the shared libraries it needs.
#
#   Board/build-release.sh                 # Swift runtime and Foundation static; glibc, libmosquitto (and the
#                                          # OpenSSL it pulls) and libyaml shared
#   Board/build-release.sh --fully-static  # one file that needs no shared library at all
#   Board/build-release.sh --no-cloud      # local only: without the package's Cloud trait (no AsyncHTTPClient,
#                                          # SwiftNIO or BoringSSL); a `cloud:` config section is refused
#   SCRATCH=.build-x DIST=out Board/build-release.sh
#
# --fully-static builds libmosquitto as a static library from Debian's own source package (fetched with
# `apt-get source` through a private apt configuration that enables deb-src, so the system's is left alone) and links
# with `-static-executable`. It needs dpkg-dev (dpkg-source), make, a C compiler and libssl-dev (libssl.a,
# libcrypto.a); libyaml-dev already ships libyaml.a. Nothing it fetches is kept outside the scratch folder.
set -eu

cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-release}
dist=${DIST:-dist}
fully_static=no
cloud=yes
for arg in "$@"; do
    case $arg in
    --fully-static) fully_static=yes ;;
    --no-cloud) cloud=no ;;
    *)
        echo "usage: Board/build-release.sh [--fully-static] [--no-cloud]" >&2
        exit 2
        ;;
    esac
done

# libmosquitto.a from Debian's source package, built with what the agent uses (TLS, threads) and nothing else.
static_mosquitto() {
    for tool in dpkg-source make cc; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "build-release: --fully-static needs $tool (apt-get install dpkg-dev make gcc libssl-dev)" >&2
            exit 1
        }
    done
    for lib in libssl.a libcrypto.a libyaml.a; do
        [ -n "$(find /usr/lib /usr/local/lib -name "$lib" 2>/dev/null | head -1)" ] || {
            echo "build-release: --fully-static needs $lib (apt-get install libssl-dev libyaml-dev)" >&2
            exit 1
        }
    done
    root=$(pwd)/$scratch/static
    mkdir -p "$root/apt/lists/partial" "$root/apt/cache/archives/partial" "$root/apt/sources" "$root/lib"
    [ -f "$root/lib/libmosquitto.a" ] && return 0

    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    cat >"$root/apt/sources/debian-src.sources" <<EOF
Types: deb-src
URIs: $mirror
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cat >"$root/apt/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$root/apt/sources";
Dir::State::Lists "$root/apt/lists";
Dir::Cache "$root/apt/cache";
APT::Sandbox::User "root";
EOF
    echo "build-release: fetching Debian's mosquitto source ($mirror $codename, deb-src in a private apt config)"
    APT_CONFIG="$root/apt/apt.conf" apt-get -qq update
    rm -rf "$root/src"
    mkdir -p "$root/src"
    (cd "$root/src" && APT_CONFIG="$root/apt/apt.conf" apt-get -qq source --download-only mosquitto >/dev/null)
    (cd "$root/src" && dpkg-source -x ./*.dsc mosquitto >/dev/null)
    echo "build-release: building libmosquitto.a"
    make -s -C "$root/src/mosquitto/lib" libmosquitto.a WITH_STATIC_LIBRARIES=yes WITH_SHARED_LIBRARIES=no \
        WITH_DOCS=no WITH_CJSON=no WITH_SRV=no WITH_WEBSOCKETS=no >/dev/null
    cp "$root/src/mosquitto/lib/libmosquitto.a" "$root/lib/"
}

# The size levers, each measured in Board/README.md: code optimised for size (the language model's hot loops are C,
# in SLMKernels, which this does not touch), LLVM's lld instead of gold, relative relocations packed (DT_RELR: needs
# glibc 2.36, Debian 12), and no dynamic symbol table (a stripped binary's backtraces show addresses either way).
# Then every Swift function in a section of its own, and public ones no longer kept for other link units (there are
# none: one executable, nothing loaded at run time), so `--gc-sections` drops what the program never calls.
set -- -c release --static-swift-stdlib --product edge-agent --scratch-path "$scratch" \
    -Xswiftc -Osize -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -Xfrontend -Xswiftc -internalize-at-link
[ "$cloud" = yes ] || set -- "$@" --disable-default-traits
if [ "$fully_static" = yes ]; then
    static_mosquitto
    set -- "$@" -Xswiftc -static-executable -Xlinker -L"$(pwd)/$scratch/static/lib" \
        -Xlinker -lssl -Xlinker -lcrypto
fi
swift build "$@"
binary=$(swift build "$@" --show-bin-path)/edge-agent

mkdir -p "$dist"
cp "$binary" "$dist/edge-agent"
strip "$dist/edge-agent"

unstripped=$(stat -c %s "$binary")
stripped=$(stat -c %s "$dist/edge-agent")
echo "edge-agent: $stripped bytes stripped ($(awk "BEGIN { printf \"%.1f MB\", $stripped / 1e6 }")), $unstripped bytes" \
    "before strip ($([ "$cloud" = yes ] && echo "with" || echo "without") the cloud escalation)"
echo "shared libraries (ldd $dist/edge-agent):"
ldd "$dist/edge-agent" || true
