#!/usr/bin/env python3
"""A discarding S3 endpoint for the etcd benchmark: it answers the calls `etcd-backup snapshot` makes (multipart
initiate, upload part, complete, put object) and throws the bytes away, checking no signature. It measures the client's
own upload path where the S3 test server (one Node process that stores every part, then concatenates them) is the
bottleneck. Not for tests: nothing is stored, nothing is verified.

usage: s3sink.py PORT
"""
import asyncio, sys

INITIATE = (b'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>'
            b'<UploadId>sink</UploadId></InitiateMultipartUploadResult>')
COMPLETE = (b'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>'
            b'<ETag>"0"</ETag></CompleteMultipartUploadResult>')


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            left = int(headers.get("content-length", "0"))
            while left > 0:
                left -= len(await reader.read(min(left, 1 << 20)))
            body = INITIATE if method == "POST" and "uploads" in target else COMPLETE if method == "POST" else b""
            writer.write(b"HTTP/1.1 200 OK\r\nETag: \"0\"\r\nContent-Type: application/xml\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), limit=1 << 20)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
