"""llama.cpp's side of Benchmarks/compare.py: times prefill and decode on a GGUF model through llama-cpp-python.

Runs in the llama-cpp-python venv (compare.py starts it there) and prints one JSON object on stdout:

    python llamacpp_child.py MODEL.gguf --threads T --prompt-tokens P --gen-tokens G --rounds R

The protocol is the one edge-agent's `bench` follows: each round clears the KV cache, evaluates P tokens of a fixed
English text as one prefill (batches of up to 512), then G single-token decode steps that continue the same text.
The first round warms up and is not counted; speeds are medians over the R rounds that follow.
"""

import argparse
import json
import resource
import statistics
import sys
import time

# Any English prose will do: the speed of a dense model does not depend on which tokens it reads.
TEXT = (
    "The house wakes up before its people do. At half past six the heating in the hall comes on, the blinds in the "
    "kitchen rise a little, and the kettle's smart plug waits for someone to say the word. Nobody wants to talk to "
    "a cloud service to switch on a lamp, so the small computer in the cupboard listens for short commands, works "
    "out which device is meant and what should happen to it, and sends one clear message to that device. When a "
    "request is unclear it asks again instead of guessing, and when the network is down the lights still work. "
)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--gen-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    p, g = args.prompt_tokens, args.gen_tokens

    import llama_cpp  # imported here so that --help works outside the venv

    baseline_mb = peak_rss_mb()  # the Python interpreter and its imports, before the model
    start = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=args.model,
        n_ctx=p + g + 16,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        n_batch=512,
        verbose=False,
    )
    load_ms = (time.perf_counter() - start) * 1000

    text_tokens = llm.tokenize(TEXT.encode(), add_bos=False)
    repeats = (p + g) // len(text_tokens) + 1
    tokens = (text_tokens * repeats)[: p + g]
    prompt, continuation = tokens[:p], tokens[p:]

    prefill, decode = [], []
    for _ in range(args.rounds + 1):
        llm.reset()  # the next eval drops the KV cache from position 0 on

        start = time.perf_counter()
        llm.eval(prompt)
        prefill.append(p / (time.perf_counter() - start))

        start = time.perf_counter()
        for token in continuation:
            llm.eval([token])
        decode.append(g / (time.perf_counter() - start))

    prefill, decode = prefill[1:], decode[1:]  # the first round warms caches and the thread pool
    json.dump(
        {
            "engine": "llama.cpp",
            "version": f"llama-cpp-python {llama_cpp.__version__}",
            "threads": args.threads,
            "prompt_tokens": p,
            "gen_tokens": g,
            "rounds": args.rounds,
            "prefill_tok_s": round(statistics.median(prefill), 1),
            "decode_tok_s": round(statistics.median(decode), 1),
            "prefill_rounds_tok_s": [round(x, 1) for x in prefill],
            "decode_rounds_tok_s": [round(x, 1) for x in decode],
            "load_ms": round(load_ms, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "baseline_rss_mb": round(baseline_mb, 1),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
