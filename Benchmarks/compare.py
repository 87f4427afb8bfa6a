#!/usr/bin/env python3
"""Speed of edge-agent beside llama.cpp: the same model file, threads and token counts, in one run.

    Benchmarks/compare.py [--model NAME|PATH] [--threads T] [--prompt-tokens 128] [--gen-tokens 64] [--rounds 5]
                          [--runs 3] [--binary .build/release/edge-agent] [--venv DIR] [--only ENGINE] [--json]

Each run starts one process per engine: `edge-agent bench ... --json`, and Benchmarks/llamacpp_child.py in a venv
holding llama-cpp-python. Both warm up for one round and report medians over the rounds that follow. The engines
take turns (A B, B A, A B, ...) so that a noisy machine slows both alike; the table shows medians over the runs.
Peak RSS is measured the same way for both processes (the kernel's maximum resident set size of the child), so
llama.cpp's includes the Python interpreter that drives it (its baseline before loading the model is reported).
Standard library only; run it with any python3.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"
OURS, LLAMA = "edge-agent", "llama.cpp"
BENCH_KEYS = ("prefill_tok_s", "decode_tok_s", "peak_rss_mb", "load_ms")


class Failure(Exception):
    """A problem to report in one message, without a traceback."""


def cache_home():
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def models_dir():
    return Path(os.environ.get("EDGE_AGENT_MODELS") or cache_home() / "edge-agent" / "models")


def log(message):
    print(f"compare: {message}", file=sys.stderr, flush=True)


def resolve_model(arg):
    """A path (anything with a '/' or ending in .gguf) is used as it is; a name, or nothing for the default model,
    is looked up in the model cache's manifest.json, then in Models/manifest.json, as edge-agent does."""
    if arg and ("/" in arg or arg.endswith(".gguf")):
        path = Path(arg)
        if not path.is_file():
            raise Failure(f"no model file at {arg}")
        return path.resolve()
    cache = models_dir()
    for manifest in (cache / "manifest.json", REPO / "Models" / "manifest.json"):
        if manifest.is_file():
            break
    else:
        raise Failure("no model manifest found; run Models/fetch.sh")
    models = json.loads(manifest.read_text())["models"]
    found = [m for m in models if (m["name"] == arg if arg else m.get("default"))]
    if not found:
        known = ", ".join(m["name"] for m in models)
        raise Failure(f"unknown model '{arg}' in {manifest}; known models: {known}")
    path = cache / found[0]["file"]
    if not path.is_file():
        raise Failure(f"{found[0]['name']} is not in the model cache ({cache}); run Models/fetch.sh {found[0]['name']}")
    return path


def llamacpp_python(venv):
    """The venv's python, with llama-cpp-python installed (built from source the first time)."""
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating a venv for llama.cpp at {venv}")
        created = subprocess.run([sys.executable, "-m", "venv", str(venv)], stdin=subprocess.DEVNULL)
        if created.returncode != 0:
            raise Failure(f"could not create a venv at {venv} (on Debian: apt-get install python3-venv)")
    probe = subprocess.run(
        [str(python), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )
    wanted = LLAMA_CPP_PYTHON.split("==")[1]
    if probe.returncode == 0 and probe.stdout.strip() == wanted:
        return python
    log(f"installing {LLAMA_CPP_PYTHON} into {venv}: this compiles llama.cpp for this CPU and takes about "
        "15 minutes on 2 cores (it needs a C++ compiler: apt-get install build-essential)")
    env = dict(os.environ, CMAKE_ARGS="-DGGML_NATIVE=ON")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-input", LLAMA_CPP_PYTHON], env=env, stdin=subprocess.DEVNULL,
        stdout=sys.stderr,
    )
    if installed.returncode != 0:
        raise Failure(f"could not install {LLAMA_CPP_PYTHON} into {venv}; pip's output is above")
    return python


def run_measured(name, command):
    """Runs command, returns its stdout parsed as JSON plus the process's peak RSS in MB (MiB)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        output = process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace").strip().splitlines()[-10:]
            raise Failure(f"{name} exited with {process.returncode}: {' '.join(command)}\n  " + "\n  ".join(tail))
    text = output.decode(errors="replace").strip()
    try:
        result = json.loads(text)
    except json.JSONDecodeError:
        try:  # tolerate progress lines before the object
            result = json.loads(text.splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            raise Failure(f"{name} printed no JSON object: {text[:300]!r}") from None
    missing = [key for key in BENCH_KEYS if not isinstance(result.get(key), (int, float))]
    if missing:
        raise Failure(f"{name}'s JSON lacks numeric {', '.join(missing)}: {text[:300]}")
    result["process_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    return result


def median(runs, key):
    return round(statistics.median(run[key] for run in runs), 1)


def summary(runs):
    return {
        "prefill_tok_s": median(runs, "prefill_tok_s"),
        "decode_tok_s": median(runs, "decode_tok_s"),
        "peak_rss_mb": median(runs, "process_peak_rss_mb"),
        "load_ms": median(runs, "load_ms"),
        "runs": runs,
    }


def plural(count, word):
    return f"{count} {word}" + ("s" if count != 1 else "")


def spread_warnings(engines):
    """The runs of one engine should agree; when they don't, something else was using the CPUs."""
    warnings = []
    for engine, s in engines.items():
        for key in ("prefill_tok_s", "decode_tok_s"):
            values = [run[key] for run in s["runs"]]
            if min(values) > 0 and max(values) / min(values) > 1.3:
                warnings.append(f"{engine}'s {key} ranged from {min(values):.1f} to {max(values):.1f} over the runs: "
                                "the machine was busy, so the comparison is unreliable")
    return warnings


def print_table(report):
    p, g = report["prompt_tokens"], report["gen_tokens"]
    header = ["engine", "threads", f"prefill pp{p} tok/s", f"decode tg{g} tok/s", "peak RSS MB", "load ms"]
    rows = [
        [engine, str(report["threads"]), f"{s['prefill_tok_s']:.1f}", f"{s['decode_tok_s']:.1f}",
         f"{s['peak_rss_mb']:.1f}", f"{s['load_ms']:.0f}"]
        for engine, s in report["engines"].items()
    ]
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]

    def line(cells):  # a Markdown row: the engine left-aligned, numbers right-aligned
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        return "| " + " | ".join(padded) + " |"

    runs, rounds = report["runs"], report["rounds"]
    print(f"{report['model']}: {plural(runs, 'run')} per engine, {plural(rounds, 'round')} each (medians)\n")
    print(line(header))
    print("|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))
    notes = []
    ratios = report.get("ratios")
    if ratios:
        notes.append(f"edge-agent / llama.cpp: prefill {ratios['prefill']:.2f}x, decode {ratios['decode']:.2f}x, "
                     f"peak RSS {ratios['peak_rss']:.2f}x")
    llama = report["engines"].get(LLAMA)
    if llama:
        baseline = median(llama["runs"], "baseline_rss_mb")
        notes.append(f"(llama.cpp's peak RSS includes its Python driver: {baseline:.1f} MB before loading the model)")
    notes += [f"warning: {warning}" for warning in report["warnings"]]
    if notes:
        print()
        print("\n".join(notes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model name from the manifest or a GGUF path (default: the default model)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--gen-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per process, after one warm-up")
    parser.add_argument("--runs", type=int, default=3, help="processes per engine, taking turns")
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "edge-agent"))
    parser.add_argument("--venv", default=str(cache_home() / "edge-agent" / "llamacpp-venv"))
    parser.add_argument("--only", choices=[OURS, LLAMA], help="measure one engine only")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    for option in ("threads", "prompt_tokens", "gen_tokens", "rounds", "runs"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1")

    try:
        model = resolve_model(args.model)
        engines = [args.only] if args.only else [OURS, LLAMA]
        counts = ["--threads", str(args.threads), "--prompt-tokens", str(args.prompt_tokens),
                  "--gen-tokens", str(args.gen_tokens), "--rounds", str(args.rounds)]
        commands = {}
        if OURS in engines:
            binary = Path(args.binary)
            if not (binary.is_file() and os.access(binary, os.X_OK)):
                raise Failure(f"no edge-agent executable at {binary}; build it with: swift build -c release")
            commands[OURS] = [str(binary), "bench", "--model", str(model), *counts, "--json"]
        if LLAMA in engines:
            python = llamacpp_python(Path(args.venv))
            commands[LLAMA] = [str(python), str(HERE / "llamacpp_child.py"), str(model), *counts]

        runs = {engine: [] for engine in engines}
        for run in range(args.runs):
            order = engines if run % 2 == 0 else engines[::-1]
            for engine in order:
                log(f"run {run + 1}/{args.runs}: {engine}")
                result = run_measured(engine, commands[engine])
                runs[engine].append(result)
                log(f"  prefill {result['prefill_tok_s']:.1f} tok/s, decode {result['decode_tok_s']:.1f} tok/s, "
                    f"peak RSS {result['process_peak_rss_mb']:.1f} MB")
    except Failure as failure:
        print(f"compare: error: {failure}", file=sys.stderr)
        return 1

    report = {
        "model": str(model),
        "threads": args.threads,
        "prompt_tokens": args.prompt_tokens,
        "gen_tokens": args.gen_tokens,
        "rounds": args.rounds,
        "runs": args.runs,
        "engines": {engine: summary(results) for engine, results in runs.items()},
    }
    report["warnings"] = spread_warnings(report["engines"])
    if len(engines) == 2:
        ours, llama = report["engines"][OURS], report["engines"][LLAMA]
        report["ratios"] = {
            "prefill": round(ours["prefill_tok_s"] / llama["prefill_tok_s"], 3),
            "decode": round(ours["decode_tok_s"] / llama["decode_tok_s"], 3),
            "peak_rss": round(ours["peak_rss_mb"] / llama["peak_rss_mb"], 3),
        }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
