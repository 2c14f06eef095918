"""Auth scenarios of the load comparison (issue 13), run by nginx and alb only, each right after h1-ka:

  h1-ka-basic  a basic-auth route with valid credentials (bcrypt cost 5, htpasswd -B's default; alb caches verified
               credentials, nginx runs crypt() on every request)
  h1-ka-401    the same route without credentials: the refusal
  h1-ka-jwt    alb only (nginx has no JWT without NGINX Plus): a JWT route (RS256 key made with openssl, JWKS from a
               Secret, issuer and audience checked, sub copied to X-User) with a valid token
  h1-ka-bearer alb only: the plain route with the JWT cell's Authorization header (~600 bytes), unchecked: the
               same request bytes as h1-ka-jwt, so jwt / bearer is what the check itself costs
  h1-ka-after  the plain h1-ka again: each target's auth cells run between two plain cells, and are compared with
               their mean (this machine drifts by tens of per cent within a minute)

Targets (reported beside the table), on the proxy's own CPU time per request: a verified request costs at most 15 % more than an unauthenticated one
(basic / plain <= 1.15), and a 401 costs less than a forwarded request (401 / plain < 1).
"""
import base64, json, statistics, subprocess, time

HOST = "basic.bench.example.com"
JWT_HOST = "jwt.bench.example.com"
USER, PASSWORD = "bench", "correct horse battery staple"
AUTH_BASES = {"nginx", "alb", "alb-bin"}
SCENARIOS = ["h1-ka-basic", "h1-ka-401", "h1-ka-jwt", "h1-ka-bearer", "h1-ka-after"]
ALB_ONLY = {"h1-ka-jwt", "h1-ka-bearer"}
TOKEN = None  # made by write()


def htpasswd_line():
    out = subprocess.run(["htpasswd", "-nbB", "-C", "5", USER, PASSWORD], check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[0]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_manifests(work):
    """An RS256 key (openssl), its JWKS in a Secret, an Ingress checking tokens of it on JWT_HOST; sets TOKEN."""
    global TOKEN
    key = work / "jwt-key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    modulus = subprocess.run(["openssl", "rsa", "-in", str(key), "-noout", "-modulus"], check=True, capture_output=True, text=True).stdout
    n = bytes.fromhex(modulus.strip().split("=", 1)[1])
    jwks = json.dumps({"keys": [{"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256", "n": b64url(n), "e": "AQAB"}]})
    now = int(time.time())
    signing_input = (b64url(json.dumps({"alg": "RS256", "kid": "bench", "typ": "JWT"}).encode()) + "." +
                     b64url(json.dumps({"iss": "https://issuer.bench.example.com/", "aud": "bench", "sub": "bench-user",
                                        "iat": now, "nbf": now - 60, "exp": now + 86400}).encode()))
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(key)], input=signing_input.encode(), check=True, capture_output=True).stdout
    TOKEN = signing_input + "." + b64url(signature)
    return [f"""apiVersion: v1
kind: Secret
metadata: {{name: bench-jwks, namespace: bench}}
data: {{jwks: {base64.b64encode(jwks.encode()).decode()}}}""",
            f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench-jwt
  namespace: bench
  annotations: {{"alb.edge.io/auth-jwt-issuer": "https://issuer.bench.example.com/", "alb.edge.io/auth-jwt-audiences": "bench",
                "alb.edge.io/auth-jwt-jwks-secret": "bench-jwks", "alb.edge.io/auth-jwt-claims-to-headers": "sub:X-User"}}
spec:
  ingressClassName: alb
  rules:
  - host: {JWT_HOST}
    http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: origin, port: {{number: 80}}}}}}}}]}}"""]


def write(work):
    """The htpasswd file nginx reads; returns the manifests alb reads (Secrets + Ingresses on HOST and JWT_HOST)."""
    line = htpasswd_line()
    (work / "htpasswd").write_text(line + "\n")
    (work / "htpasswd").chmod(0o644)
    secret = base64.b64encode((line + "\n").encode()).decode()
    return [f"""apiVersion: v1
kind: Secret
metadata: {{name: bench-htpasswd, namespace: bench}}
data: {{auth: {secret}}}""",
            f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench-basic
  namespace: bench
  annotations: {{"nginx.ingress.kubernetes.io/auth-type": "basic", "nginx.ingress.kubernetes.io/auth-secret": "bench-htpasswd",
                "nginx.ingress.kubernetes.io/auth-realm": "bench"}}
spec:
  ingressClassName: alb
  rules:
  - host: {HOST}
    http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: origin, port: {{number: 80}}}}}}}}]}}"""] + jwt_manifests(work)


def nginx_server(work, http, https):
    """The same route as ingress-nginx's template writes it: auth_basic, the credentials not sent upstream."""
    return f"""
  server {{ listen 127.0.0.1:{http}; listen 127.0.0.1:{https} ssl http2; server_name {HOST};
    location / {{ auth_basic "bench"; auth_basic_user_file {work}/htpasswd;
      proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Authorization "";
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme; }} }}"""


def wrk_args(name):
    """(path, extra wrk arguments) of an auth scenario."""
    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    if name == "h1-ka-basic":
        return "/ok", ["-H", f"Host: {HOST}", "-H", f"Authorization: Basic {credentials}"]
    if name == "h1-ka-401":
        return "/ok", ["-H", f"Host: {HOST}"]
    if name == "h1-ka-jwt":
        return "/ok", ["-H", f"Host: {JWT_HOST}", "-H", f"Authorization: Bearer {TOKEN}"]
    if name == "h1-ka-bearer":
        return "/ok", ["-H", f"Authorization: Bearer {TOKEN}"]  # the plain route, carrying the JWT cell's ~600-byte header
    if name == "h1-ka-after":
        return "/ok", []  # the plain h1-ka again, after the auth cells
    raise SystemExit(f"unknown auth scenario {name}")


def check(port, target):
    """Before any load: valid credentials get the origin's ok, none get 401; else the run stops."""
    import http.client
    asks = [(HOST, {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}, 200), (HOST, {}, 401)]
    if target.partition(":")[0] in ("alb", "alb-bin"):
        asks += [(JWT_HOST, {"Authorization": f"Bearer {TOKEN}"}, 200), (JWT_HOST, {}, 401)]
    for host, headers, want in asks:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/ok", headers={"Host": host, **headers})
        r = c.getresponse()
        r.read()
        c.close()
        print(f"  check {target:10} {host} {'with' if headers else 'without'} credentials -> {r.status}", flush=True)
        if r.status != want:
            raise SystemExit(f"{target}: {host} answered {r.status}, expected {want}")


def bracketed(results, t):
    """Per repetition, the mean of the plain h1-ka cell before the auth cells and the one after them: (req/s, CPU µs per request)."""
    before, after = results[("h1-ka", t)], results.get(("h1-ka-after", t), results[("h1-ka", t)])
    return [((b[0] + a[0]) / 2, (b[6] + a[6]) / 2) for b, a in zip(before, after)]


def report(results, targets):
    """Lines for the report: each target's auth cost against its own plain h1-ka, per repetition then the median.

    The cost is the proxy process's own CPU time per request (user + system, from /proc), which other work on the
    machine moves far less than req/s; the req/s columns are there for reading, not for the verdict."""
    if ("h1-ka-basic", "alb") not in results:
        return []
    med = lambda cell, i=0: statistics.median(x[i] for x in cell)
    lines = ["", "Auth routes (basic auth, bcrypt cost 5) against the same target's plain h1-ka (the mean of the plain cell run just "
             "before the auth cells and the one just after them). Cost = the proxy's own CPU time per request; ratios per "
             "repetition, then the median. Targets: basic / plain CPU per request <= 1.15 (a verified request at most 15 % dearer), "
             "401 / plain < 1 (a refusal cheaper than a forwarded request).", "",
             "| target | req/s plain | req/s basic | req/s 401 | CPU µs/req plain | basic | 401 | basic / plain | 401 / plain | verdict |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for t in [t for t in targets if ("h1-ka-basic", t) in results]:
        plain, basic, refused = bracketed(results, t), results[("h1-ka-basic", t)], results[("h1-ka-401", t)]
        cost = statistics.median(b[6] / p[1] for p, b in zip(plain, basic) if p[1])
        cheap = statistics.median(r[6] / p[1] for p, r in zip(plain, refused) if p[1])
        verdict = "-" if t != "alb" else ("met" if cost <= 1.15 and cheap < 1 else "MISSED")
        lines.append(f"| {t} | {med(plain):,.0f} | {med(basic):,.0f} | {med(refused):,.0f} | {med(plain, 1):.1f} | {med(basic, 6):.1f} | "
                     f"{med(refused, 6):.1f} | {cost:.2f} | {cheap:.2f} | {verdict} |")
    for t in [t for t in targets if ("h1-ka-jwt", t) in results]:
        plain, jwt = bracketed(results, t), results[("h1-ka-jwt", t)]
        cost = statistics.median(j[6] / p[1] for p, j in zip(plain, jwt) if p[1])
        lines += ["", f"JWT route (RS256, issuer + audience, sub to X-User) on {t}: {med(jwt):,.0f} req/s, {med(jwt, 6):.1f} µs CPU per request; "
                  f"jwt / plain CPU per request = {cost:.2f} (nginx has no JWT without NGINX Plus)."]
        if ("h1-ka-bearer", t) in results:
            bearer = results[("h1-ka-bearer", t)]
            same = statistics.median(j[6] / b[6] for b, j in zip(bearer, jwt) if b[6])
            carried = statistics.median(b[6] / p[1] for p, b in zip(plain, bearer) if p[1])
            lines.append(f"The plain route with the same Authorization: Bearer header (the token's bytes, no check): {med(bearer, 6):.1f} µs "
                         f"per request, bearer / plain = {carried:.2f}; jwt / bearer (the check, claims-to-headers, same request bytes) = "
                         f"{same:.2f}: {'met' if same <= 1.15 else 'MISSED'} (<= 1.15).")
    return lines
