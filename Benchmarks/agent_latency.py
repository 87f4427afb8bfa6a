#!/usr/bin/env python3
"""End-to-end latency of `edge-agent run` over a real broker: MQTT message in -> device action out.

Starts mosquitto on a free loopback port and the agent (release build by default) with the sample catalog, then:
  1. latency: N fast-path commands, one at a time; each is timed from just before the client publishes it on
     edge/bench/cmd to the moment the client receives the device's action (zigbee2mqtt/<device>/set). The time
     includes both broker hops (client -> broker -> agent -> broker -> client) on loopback.
  2. throughput: M commands sent back to back; commands/s from the first send to the last result.
With --slm the agent runs its language model and the commands are ones the rules leave to it; each is timed from
the publish to the command's result on edge/bench/result (an action, when there is one, goes out just before it).
Prints p50/p95/p99 and commands/s (or one JSON object with --json). Needs mosquitto (Debian) and paho-mqtt 1.x
for the python3 on PATH; Board/install-deps.sh installs both.

    swift build -c release && Benchmarks/agent_latency.py
    Benchmarks/agent_latency.py --agent .build/release/edge-agent -n 1000 -m 2000
    Benchmarks/agent_latency.py --slm -n 100 -m 50
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Fast-path commands, each with the one device topic its action goes to.
COMMANDS = [
    ("turn on the hall light", "zigbee2mqtt/hall_light/set"),
    ("turn off the bedroom lamp", "zigbee2mqtt/bedroom_lamp/set"),
    ("dim the living room lamp to 30%", "zigbee2mqtt/living_room_lamp/set"),
    ("lock the front door", "zigbee2mqtt/front_door_lock/set"),
    ("set the office desk lamp to 70 percent", "zigbee2mqtt/office_desk_lamp/set"),
]
# Commands the rules leave unrecognized, so the language model takes them (result topic timed, not an action).
SLM_COMMANDS = [
    "get the garden lights going",
    "could you get the lights going in the kitchen",
    "please make the office blinds go down",
    "the patio lamp should be on",
    "have the sprinkler run",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, deadline):
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise SystemExit(f"nothing listens on port {port}")


def percentile(sorted_values, p):
    rank = max(1, int(-(-p * len(sorted_values) // 100)))  # nearest rank
    return sorted_values[min(len(sorted_values), rank) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default=os.path.join(ROOT, ".build/release/edge-agent"))
    parser.add_argument("-n", "--latency-commands", type=int, default=500)
    parser.add_argument("-m", "--throughput-commands", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--slm", action="store_true", help="time commands that go to the language model")
    args = parser.parse_args()
    if not os.access(args.agent, os.X_OK):
        raise SystemExit(f"{args.agent} is not built: swift build -c release")

    work = tempfile.mkdtemp(prefix="agent-bench-")
    port = free_port()
    with open(os.path.join(work, "mosquitto.conf"), "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n"
                "set_tcp_nodelay true\n")
    with open(os.path.join(work, "agent.yaml"), "w") as f:
        f.write(
            "agent: {id: bench}\n"
            f"broker: {{url: 'mqtt://127.0.0.1:{port}', qos: 1}}\n"
            f"catalog: {os.path.join(ROOT, 'Board/catalog/home.yaml')}\n"
            "limits: {queue_capacity: 100000, spool_capacity: 100000}\n"
            "telemetry: {interval_s: 0}\n"
            f"interpreter: {{slm: {'true' if args.slm else 'false'}}}\n"
            "model: {threads: 2}\n"
        )
    broker = subprocess.Popen(["mosquitto", "-c", os.path.join(work, "mosquitto.conf")], stderr=subprocess.DEVNULL)
    agent = None
    try:
        wait_for_port(port, time.time() + 10)
        agent = subprocess.Popen(
            [args.agent, "run", "--config", os.path.join(work, "agent.yaml"), "--log-level", "error"],
            cwd=ROOT,
        )
        results = run(port, args)
    finally:
        if agent:
            agent.terminate()
            agent.wait(10)
        broker.terminate()
        broker.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results))
    else:
        lat = results["latency_ms"]
        what = "language model, message in -> result out" if args.slm else "fast path, message in -> action out"
        print(f"{what}, {results['latency_commands']} commands one at a time:")
        print(f"  p50 {lat['p50']:.3f} ms   p95 {lat['p95']:.3f} ms   p99 {lat['p99']:.3f} ms   "
              f"mean {lat['mean']:.3f} ms")
        print(f"sustained: {results['throughput_commands']} commands back to back: "
              f"{results['commands_per_s']:.0f} commands/s")


def run(port, args):
    lock = threading.Condition()
    state = {"arrived": {}, "results": 0, "status": None}

    def on_message(client, userdata, message):
        now = time.perf_counter()
        with lock:
            if message.topic == "edge/bench/result":
                state["results"] += 1
            elif message.topic == "edge/bench/status":
                state["status"] = message.payload.decode()
            else:
                state["arrived"][message.topic] = now
            lock.notify_all()

    client = mqtt.Client(client_id="bench-peer", protocol=mqtt.MQTTv311)
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.subscribe([("zigbee2mqtt/+/set", 1), ("edge/bench/result", 1), ("edge/bench/status", 1)])
    client.loop_start()
    with lock:
        if not lock.wait_for(lambda: state["status"] == "online", timeout=60):
            raise SystemExit("the agent did not come online")
    time.sleep(0.3)

    def one(text, topic):
        with lock:
            state["arrived"].pop(topic, None)
        start = time.perf_counter()
        client.publish("edge/bench/cmd", text, qos=0)
        with lock:
            if not lock.wait_for(lambda: topic in state["arrived"], timeout=5):
                raise SystemExit(f"no action on {topic} for '{text}'")
            return (state["arrived"][topic] - start) * 1000

    def one_result(text):
        with lock:
            before = state["results"]
        start = time.perf_counter()
        client.publish("edge/bench/cmd", text, qos=0)
        with lock:
            if not lock.wait_for(lambda: state["results"] > before, timeout=30):
                raise SystemExit(f"no result for '{text}'")
        return (time.perf_counter() - start) * 1000

    if args.slm:
        for i in range(min(args.warmup, 5)):
            one_result(SLM_COMMANDS[i % len(SLM_COMMANDS)])
        latencies = sorted(one_result(SLM_COMMANDS[i % len(SLM_COMMANDS)]) for i in range(args.latency_commands))
    else:
        for i in range(args.warmup):
            one(*COMMANDS[i % len(COMMANDS)])
        latencies = sorted(one(*COMMANDS[i % len(COMMANDS)]) for i in range(args.latency_commands))
    texts = SLM_COMMANDS if args.slm else [c[0] for c in COMMANDS]

    with lock:
        state["results"] = 0
    start = time.perf_counter()
    for i in range(args.throughput_commands):
        client.publish("edge/bench/cmd", texts[i % len(texts)], qos=0)
    with lock:
        if not lock.wait_for(lambda: state["results"] >= args.throughput_commands, timeout=120):
            raise SystemExit(f"only {state['results']} of {args.throughput_commands} results arrived")
    elapsed = time.perf_counter() - start
    client.loop_stop()
    client.disconnect()
    return {
        "latency_commands": args.latency_commands,
        "latency_ms": {
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "mean": statistics.fmean(latencies),
        },
        "throughput_commands": args.throughput_commands,
        "commands_per_s": args.throughput_commands / elapsed,
    }


if __name__ == "__main__":
    sys.exit(main())
