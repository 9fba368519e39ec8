#!/usr/bin/env python3
"""The chaos suite's fake outside world: an API the workflows call and a webhook receiver.

GET  /call?i=ID&step=N&ms=T  counts each call (a step made twice shows up as a count of 2), answers after T ms
POST /hook              records each delivery's instance_id (the execution the event is about)
GET  /stats             {"calls": {"ID/N": count}, "hooks": {"instance": count}}
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
calls = {}
hooks = {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the node that called was SIGKILLed mid-call: that is the point

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/stats":
            with lock:
                return self.reply({"calls": calls, "hooks": hooks})
        q = parse_qs(url.query)
        key = q.get("i", ["?"])[0] + "/" + q.get("step", ["?"])[0]
        with lock:
            calls[key] = calls.get(key, 0) + 1
        time.sleep(int(q.get("ms", ["0"])[0]) / 1000)
        self.reply({"ok": True})

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        try:
            instance = json.loads(body).get("instance_id", "?")
        except ValueError:
            instance = "?"
        with lock:
            hooks[instance] = hooks.get(instance, 0) + 1
        self.reply({"ok": True})


ThreadingHTTPServer.daemon_threads = True
# Three nodes call at once: the default listen backlog of 5 refused and reset connections, which is the fake's failure,
# not the one under test.
ThreadingHTTPServer.request_queue_size = 256
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
