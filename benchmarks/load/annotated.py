"""The annotated route table of the load comparison (issue 12): ANN_INGRESSES Ingresses with ingress-nginx annotations
alb supports, for alb's manifests, and nginx configured to the same effect (what ingress-nginx's template writes)."""
import json, os, re

ANN_INGRESSES = int(os.environ.get("ANN_INGRESSES", "1000"))

# The annotated table: ANN_INGRESSES Ingresses, 10 per host, one path each. Even hosts are in regex mode (use-regex +
# rewrite-target, paths /apiK(/|$)(.*) sent upstream as /$2); odd hosts have Prefix paths /svcK. Every Ingress has CORS
# with an origin list, a source allow list holding 127.0.0.0/8 and a per-Ingress limit-rps no load reaches.
ANN_PREFIX = "nginx.ingress.kubernetes.io/"
ANN_ORIGINS = ["https://app.example.com", "https://admin.example.com", "https://*.bench.example.com"]
ANN_ALLOW = ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]  # alb checks them in this (sorted) order
ANN_RPS = 1_000_000                                                           # the largest limit-rps alb accepts
ANN_BURST = ANN_RPS * 5                                                       # limit-burst-multiplier's default
ANN_HOST = f"ann{(ANN_INGRESSES // 10) // 2 & ~1}.example.com"                # a regex host in the middle of the table
ANN_PATH = "/api7/ok"                                                         # third of its host's regexes; upstream /ok
ANN_ORIGIN = "https://admin.example.com"                                      # allowed: the CORS headers are set
CORS_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS"                       # alb's (ingress-nginx's) defaults
CORS_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"


def ann_ingresses():
    """(index, host, path, regex) of every annotated Ingress."""
    for i in range(ANN_INGRESSES):
        h, k = i // 10, i % 10
        regex = h % 2 == 0
        yield i, f"ann{h}.example.com", (f"/api{k}(/|$)(.*)" if regex else f"/svc{k}"), regex


def ann_manifests():
    docs = []
    for i, host, path, regex in ann_ingresses():
        annotations = {"enable-cors": "true", "cors-allow-origin": ", ".join(ANN_ORIGINS),
                       "allowlist-source-range": ", ".join(ANN_ALLOW), "limit-rps": str(ANN_RPS)}
        if regex:
            annotations = {"use-regex": "true", "rewrite-target": "/$2", **annotations}
        shown = ", ".join(f"{json.dumps(ANN_PREFIX + k)}: {json.dumps(v)}" for k, v in annotations.items())
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: ann-{i}, namespace: bench, annotations: {{{shown}}}}}
spec:
  ingressClassName: alb
  rules:
  - host: {host}
    http: {{paths: [{{path: {json.dumps(path)}, pathType: {'ImplementationSpecific' if regex else 'Prefix'}, backend: {{service: {{name: origin, port: {{number: 80}}}}}}}}]}}""")
    return docs


def ann_nginx(http, https):
    """The annotated table as ingress-nginx's template writes it, one limit_req zone per Ingress (more_set_headers
    needs headers-more, which Debian's nginx lacks: add_header ... always; Vary: Origin is added because alb sends it)."""
    origin_re = "^(" + "|".join(re.escape(o).replace(r"\*", "[A-Za-z0-9-]+").replace(r"\:", ":").replace(r"\/", "/")
                                 for o in ANN_ORIGINS) + ")$"
    cors = " ".join(f"add_header {n} {v} always;" for n, v in [
        ("Access-Control-Allow-Origin", "$http_origin"), ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", f'"{CORS_METHODS}"'), ("Access-Control-Allow-Headers", f'"{CORS_HEADERS}"'),
        ("Access-Control-Max-Age", "1728000"), ("Vary", "Origin")])
    allow = " ".join(f"allow {a};" for a in ANN_ALLOW)
    zones, servers = [], {}
    for i, host, path, regex in ann_ingresses():
        zones.append(f"limit_req_zone $binary_remote_addr zone=ann{i}:1m rate={ANN_RPS}r/s;")
        body = (f'set $cors ""; if ($http_origin ~* "{origin_re}") {{ set $cors "true"; }} '
                f'if ($request_method = OPTIONS) {{ set $cors "${{cors}}options"; }} '
                f'if ($cors = "trueoptions") {{ {cors} return 204; }} if ($cors = "true") {{ {cors} }} '
                + (f'rewrite "(?i){path}" /$2 break; ' if regex else "")
                + f"limit_req zone=ann{i} burst={ANN_BURST} nodelay; {allow} deny all; proxy_pass http://origin;")
        locations = ([(path, f'location ~* "^{path}" {{ {body} }}')] if regex else
                     [(path, f"location = {path} {{ {body} }}"), (path + "/", f"location {path}/ {{ {body} }}")])
        servers.setdefault(host, []).extend((regex, p, i, text) for p, text in locations)
    out = zones + ["limit_req_status 503;"]
    for host, locations in servers.items():
        # Regex locations are tried in the order written: alb's order (longest first, then path bytes descending).
        locations.sort(key=lambda l: (-len(l[1]), [-b for b in l[1].encode()], l[2]))
        out.append(f"""  server {{ listen 127.0.0.1:{http}; listen 127.0.0.1:{https} ssl http2; server_name {host};
    proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme;
""" + "\n".join("    " + l[3] for l in locations) + " }")
    return "\n".join(out)


def check_annotated(target, port):
    """Before any load: the annotated route answers what the annotations say, on this target. A wrong answer on the
    benchmarked request stops the run; other differences are printed (they are findings, not benchmark errors)."""
    import http.client

    def ask(method, path, host, origin=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request(method, path, headers={"Host": host, **({"Origin": origin} if origin else {})})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    prefix_host = f"ann{int(ANN_HOST.split('.')[0][3:]) + 1}.example.com"  # an odd host: Prefix paths, no rewrite
    checks = [  # (what, method, path, host, origin, status, body, allow-origin header)
        ("benchmarked request", "GET", ANN_PATH, ANN_HOST, ANN_ORIGIN, 200, b"ok", ANN_ORIGIN),
        ("regex is case-insensitive", "GET", ANN_PATH.upper().replace("/OK", "/ok"), ANN_HOST, ANN_ORIGIN, 200, b"ok", ANN_ORIGIN),
        ("wildcard origin", "GET", ANN_PATH, ANN_HOST, "https://x1.bench.example.com", 200, b"ok", "https://x1.bench.example.com"),
        ("origin not listed", "GET", ANN_PATH, ANN_HOST, "https://evil.example.org", 200, b"ok", None),
        ("preflight", "OPTIONS", ANN_PATH, ANN_HOST, ANN_ORIGIN, 204, b"", ANN_ORIGIN),
        ("prefix host, no rewrite (origin 404s /svc3/ok)", "GET", "/svc3/ok", prefix_host, ANN_ORIGIN, 404, None, ANN_ORIGIN),
        ("plain route", "GET", "/ok", "127.0.0.1", None, 200, b"ok", None),
    ]
    for what, method, path, host, origin, status, body, acao in checks:
        got_status, headers, got_body = ask(method, path, host, origin)
        ok = got_status == status and (body is None or got_body == body) and headers.get("access-control-allow-origin") == acao
        line = (f"  check {target:10} {what:48} {method} {host}{path} -> {got_status} "
                f"ACAO={headers.get('access-control-allow-origin')} vary={headers.get('vary')}")
        print(line + ("" if ok else f"   << expected {status} ACAO={acao}"), flush=True)
        if not ok and what == "benchmarked request":
            raise SystemExit(f"{target} does not serve the annotated route as configured; see {work}")
