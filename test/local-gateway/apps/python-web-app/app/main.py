"""A plain-Python streaming web app (standard library only), the way a FastAPI app streams
behind the Lambda Web Adapter: GET / answers the readiness check, GET /stream sends server-sent
events in chunks, POST /echo returns the request body."""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("python-app: %s\n" % (format % args))

    def send_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/":
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.split("?")[0].endswith("/stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("x-python-version", "%d.%d" % sys.version_info[:2])
            self.end_headers()
            delay = float(os.environ.get("CHUNK_DELAY_S", "0.1"))
            # The adapter passes API Gateway's request context as a JSON header.
            context = json.loads(self.headers.get("x-amzn-request-context") or "{}")
            for i in range(3):
                event = {"n": i, "path": self.path, "stage": context.get("stage")}
                self.send_chunk(("data: %s\n\n" % json.dumps(event)).encode())
                time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
