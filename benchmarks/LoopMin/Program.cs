// loop-min: the ceiling of an nginx-shaped HTTP/1.1 proxy written in .NET, for the load benchmark only.
//
// One thread, one epoll set, non-blocking sockets and the system calls nginx makes: accept4, recv, send, epoll_wait,
// and a pool of keep-alive upstream connections. No Kestrel, no thread pool, no async state machines, no TLS, no
// HTTP/2. It parses only what it must to forward GET requests with Content-Length responses (what the load benchmark
// sends) and refuses the rest. It is NOT a server to run anything behind: no limits beyond its buffers, no request
// smuggling defences, no timeouts. It answers one question for issue 15: how much of alb's CPU per request against
// nginx's is the runtime, and how much the shape of the request path (threads, hops, layers) that a server of alb's
// own would change.
//
//   loop-min HTTP_PORT TLS_PORT ORIGIN_HOST:PORT [CERT.pem KEY.pem]
//
// Without a certificate TLS_PORT is listened on and every connection closed; with one, HTTP/1.1 over TLS 1.3 is
// served there by .NET's SslStream driven from the loop (Tls.cs): what TLS costs on an nginx-shaped path in .NET.
using System.Net;
using LoopMin;

var http = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var tls = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var origin = IPEndPoint.Parse(args[2]);
var certificate = args.Length >= 5 ? TlsSession.Load(args[3], args[4]) : null;
new Loop(http, tls, origin, certificate).Run();
