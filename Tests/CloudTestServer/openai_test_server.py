#!/usr/bin/env python3
"""A stand-in for an OpenAI-compatible Chat Completions endpoint, for edge-agent's cloud tests.

It answers from a table (the user message's text, lower-cased, -> the JSON content to return), records every
request body it sees, and injects faults on demand. Python's standard library only.

Control (JSON over HTTP on the same port):
  POST /_control  {"answers": {...}, "faults": ["500", "429:2", "malformed", "hang", "refuse_schema",
                   "refuse_json_object", "latency:0.2", "unknown_device"], "forbidden": ["secret", ...]}
                  faults are consumed one per chat request, in order; "refuse_schema"/"refuse_json_object" and
                  "latency:S" given under "sticky" apply to every request.
  GET  /_requests  every chat request body seen, as a JSON list; GET /_violations: forbidden strings seen.
Started with --port-file PATH: binds a free loopback port and writes it there once listening.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"answers": {}, "faults": [], "sticky": [], "forbidden": [], "requests": [], "violations": []}


def default_answer(text):
    return {"actions": [{"intent": "NotACommand"}], "answer": "I can only help with the devices of this home."}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle and delayed ACKs add 40 ms to each answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # quiet: the tests read what they need from /_requests
        pass

    def send_json(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/_requests":
            with LOCK:
                self.send_json(200, STATE["requests"])
        elif self.path == "/_violations":
            with LOCK:
                self.send_json(200, STATE["violations"])
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": "no such path " + self.path}})

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/_control":
            update = json.loads(raw or b"{}")
            with LOCK:
                for key in ("answers", "faults", "sticky", "forbidden"):
                    if key in update:
                        STATE[key] = update[key]
                if update.get("reset_requests"):
                    STATE["requests"] = []
                    STATE["violations"] = []
            self.send_json(200, {"ok": True})
            return
        if self.path != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": "no such path " + self.path}})
            return
        text = raw.decode("utf-8", "replace")
        with LOCK:
            seen = [s for s in STATE["forbidden"] if s in text]
            STATE["violations"].extend(seen)
            fault = STATE["faults"].pop(0) if STATE["faults"] else None
            sticky = list(STATE["sticky"])
            answers = {k.strip().lower(): v for k, v in STATE["answers"].items()}
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "the body is not JSON"}})
            return
        with LOCK:
            STATE["requests"].append({"body": body, "idempotency_key": self.headers.get("Idempotency-Key"),
                                      "authorization": self.headers.get("Authorization")})
        if seen:
            self.send_json(418, {"error": {"message": "forbidden values reached the server"}})
            return
        for item in sticky:
            if item.startswith("latency:"):
                time.sleep(float(item.split(":", 1)[1]))
        fmt = (body.get("response_format") or {}).get("type")
        if "refuse_schema" in sticky and fmt == "json_schema":
            self.send_json(400, {"error": {"message": "response_format json_schema is not supported by this model"}})
            return
        if "refuse_json_object" in sticky and fmt == "json_object":
            self.send_json(400, {"error": {"message": "response_format json_object is not supported"}})
            return
        if fault:
            kind, _, arg = fault.partition(":")
            if kind == "500":
                self.send_json(500, {"error": {"message": "internal error"}})
                return
            if kind in ("429", "503"):
                self.send_json(int(kind), {"error": {"message": "slow down"}}, {"Retry-After": arg or "1"})
                return
            if kind == "latency":
                time.sleep(float(arg))
            if kind == "hang":
                time.sleep(float(arg or 30))
                return
            if kind == "malformed":
                self.send_json(200, b'{"choices": [{"message": {"content": "{\\"actions\\": [ {\\"intent\\""}}]')
                return
        user = next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
        answer = answers.get(user.strip().lower())
        if answer is None:
            answer = default_answer(user)
        if fault == "unknown_device":
            answer = {"actions": [{"intent": "HassTurnOn", "devices": ["garage_flamethrower"]}]}
        content = json.dumps(answer)
        if fmt is None:  # a prompted answer arrives wrapped in prose, as chat models do
            content = "Here is the JSON:\n```json\n" + content + "\n```"
        prompt_tokens = len(raw) // 4
        self.send_json(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model", ""),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(content) // 4,
                      "total_tokens": prompt_tokens + len(content) // 4},
        })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
