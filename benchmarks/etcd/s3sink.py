#!/usr/bin/env python3
"""A discarding S3 endpoint for the etcd benchmark: it answers the calls `etcd-backup snapshot` makes (multipart
initiate, upload part, complete, put object) and throws the bytes away, checking no signature. It measures the client's
own upload path where the S3 test server (one Node process that stores every part, then concatenates them) is the
bottleneck. Not for tests: nothing is stored, nothing is verified.

A thread per connection reading bodies with recv_into into one reused 1 MiB buffer: the body costs the sink little
more than the kernel's copy. (The asyncio version before it spent 1.5 s of CPU per 146 MB on etcd's core and was the
bottleneck it was meant to remove.)

usage: s3sink.py PORT
"""
import socket, socketserver, sys

INITIATE = (b'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>'
            b'<UploadId>sink</UploadId></InitiateMultipartUploadResult>')
COMPLETE = (b'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>'
            b'<ETag>"0"</ETag></CompleteMultipartUploadResult>')
MAX_HEAD = 64 * 1024


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock, buf = self.request, bytearray(1 << 20)
        view, pending = memoryview(buf), b""
        while True:
            while b"\r\n\r\n" not in pending:
                if len(pending) > MAX_HEAD:
                    return
                chunk = sock.recv(65536)
                if not chunk:
                    return
                pending += chunk
            head, pending = pending.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            if headers.get("expect", "").lower() == "100-continue":
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            left = int(headers.get("content-length", "0"))
            taken = min(left, len(pending))
            pending, left = pending[taken:], left - taken
            while left > 0:
                n = sock.recv_into(view, min(left, len(buf)))
                if n == 0:
                    return
                left -= n
            body = INITIATE if method == "POST" and "uploads" in target else COMPLETE if method == "POST" else b""
            sock.sendall(b"HTTP/1.1 200 OK\r\nETag: \"0\"\r\nContent-Type: application/xml\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", int(sys.argv[1])), Handler) as server:
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    print("listening", flush=True)
    server.serve_forever()
