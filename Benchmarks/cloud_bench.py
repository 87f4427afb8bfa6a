#!/usr/bin/env python3
"""Measures edge-agent's cloud path against the project's OpenAI-compatible test server on loopback.

    swift build -c release && Benchmarks/cloud_bench.py [--binary .build/release/edge-agent] [--json]

Starts Tests/CloudTestServer/openai_test_server.py (with --latency S it adds that much to every answer, to stand in
for a real network), runs `edge-agent cloud-bench` on Benchmarks/cloud_commands.txt, and prints: the share of the
mixed set answered locally and escalated, the median latency of each path, the outbox's enqueue and drain rates,
and a simulated offline period (commands in, deferred, answered after the link returned, expired, duplicates).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANSWERS = {
    "I want to read in the lounge": {"actions": [{"intent": "HassTurnOn", "devices": ["living_room_lamp"]}]},
    "make sure nobody can drive in tonight": {"actions": [{"intent": "HassCloseCover", "devices": ["garage_door"]}]},
    "the garden is parched, do something": {"actions": [{"intent": "HassTurnOn", "devices": ["sprinkler"]}]},
    "what is the capital of France": {"actions": [{"intent": "NotACommand"}], "answer": "Paris."},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/edge-agent"))
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every cloud answer")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        server = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "Tests/CloudTestServer/openai_test_server.py"), "--port-file", port_file])
        try:
            while not os.path.exists(port_file):
                time.sleep(0.01)
            base = "http://127.0.0.1:" + open(port_file).read().strip()
            control = {"answers": ANSWERS, "sticky": [f"latency:{args.latency}"] if args.latency else []}
            request = urllib.request.Request(base + "/_control", data=json.dumps(control).encode(), method="POST")
            urllib.request.urlopen(request).read()
            out = subprocess.run(
                [args.binary, "cloud-bench", "--base-url", base, "--catalog", os.path.join(ROOT, "Board/catalog/home.yaml"),
                 "--state", tmp, "--commands", os.path.join(ROOT, "Benchmarks/cloud_commands.txt"),
                 "--items", str(args.items)], check=True, capture_output=True, text=True).stdout
        finally:
            server.kill()
            server.wait()
    report = json.loads(out)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    r = report
    print(f"mixed set: {r['commands']} commands, {r['answered_locally']} answered locally, {r['escalated']} by the cloud")
    print(f"latency: local path median {r['local_median_ms']} ms; cloud path median {r['cloud_median_ms']} ms, "
          f"p90 {r['cloud_p90_ms']} ms (test server on loopback, +{args.latency} s)")
    print(f"outbox: {r['enqueue_per_s']:.0f} durable enqueues/s, {r['drain_per_s']:.0f} deliveries/s")
    print(f"offline {r['offline_seconds']:.0f} s (simulated): {r['offline_in']} in, {r['offline_deferred']} deferred, "
          f"{r['offline_answered']} answered after reconnect, {r['offline_expired']} expired, "
          f"{r['offline_duplicates']} duplicates, {r['offline_left']} left")


if __name__ == "__main__":
    main()
