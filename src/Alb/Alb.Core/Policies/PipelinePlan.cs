using System.Globalization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>The steps a route's pipeline can hold, in the order nginx runs them for ingress-nginx's template.</summary>
public enum StepKind
{
    /// <summary>The redirect server of from-to-www-redirect: every request, before anything else.</summary>
    WwwRedirect,

    /// <summary>Server rewrite phase: <c>if ($uri = /) { return 302 .../app-root; }</c>, before the location is chosen.</summary>
    AppRoot,

    /// <summary>A denied location: <c>return 503</c> and nothing else.</summary>
    Deny,

    /// <summary>custom-headers: set on every answer of the route (the backend's, alb's own refusals).</summary>
    ResponseHeaders,

    /// <summary>Location rewrite phase: CORS headers decided, a preflight from an allowed origin answered 204.</summary>
    Cors,

    /// <summary><c>return 301/302 URL</c> of permanent-redirect / temporal-redirect.</summary>
    Redirect,

    /// <summary><c>rewrite "(?i)PATH" TARGET break;</c>: the path sent upstream.</summary>
    Rewrite,

    /// <summary>The Lua rewrite step after nginx's own rewrite directives: plain HTTP to HTTPS.</summary>
    HttpsRedirect,

    /// <summary>Pre-access phase: limit_req then limit_conn.</summary>
    RateLimit,

    /// <summary>
    /// Access phase, first and whatever satisfy says: the host's client certificate (400, or 302 to the error page,
    /// when it is missing or does not verify; 403 when auth-tls-match-cn does not match or the CA Secret is unusable).
    /// </summary>
    ClientCert,

    /// <summary>Access phase: deny list, then allow list (403).</summary>
    SourceRanges,

    /// <summary>Access phase: auth_basic (401 with the realm's challenge).</summary>
    BasicAuth,

    /// <summary>Access phase: auth_request to the auth-url (2xx on, 401/403 to the client, anything else 500).</summary>
    ExternalAuth,

    /// <summary>Access phase: a JWT validated against the issuer's keys (401 with an RFC 6750 challenge; 503 while no key was ever fetched).</summary>
    Jwt,

    /// <summary>A copy of the request to mirror-target, fire and forget.</summary>
    Mirror,

    /// <summary>Balancer: the canary's backend or the primary's (header, cookie, weight).</summary>
    Canary,

    /// <summary>Content phase: proxy to the backend.</summary>
    Forward,
}

/// <summary>One step of a route's pipeline and what it does, in words (<c>alb explain</c> prints these).</summary>
public sealed record PlannedStep(StepKind Kind, string Description);

/// <summary>
/// The one definition of which steps a route runs and in which order. The host compiles each planned step into a
/// request step at publish time; <c>alb explain</c> prints the same plan, so the two cannot disagree.
/// </summary>
public static class PipelinePlan
{
    /// <summary>The access-phase steps of a route (source ranges and authentication), which satisfy combines.</summary>
    public static bool IsAccess(StepKind kind) => kind is StepKind.ClientCert or StepKind.SourceRanges or StepKind.BasicAuth or StepKind.ExternalAuth or StepKind.Jwt;

    private static string AnyOf(RoutePolicies p) =>
        p.Satisfy == SatisfyMode.Any && (p.SourceRanges is null ? 0 : 1) + (p.BasicAuth is null ? 0 : 1) + (p.ExternalAuth is null ? 0 : 1) + (p.Jwt is null ? 0 : 1) > 1 ? " - satisfy any: one passed access check is enough" : "";

    private static string Describe(ClientCertPolicy c)
    {
        if (c.Problem is { } problem)
        {
            return $"every request answered 403: {problem}";
        }

        var failure = c.ErrorPage is { } page ? $"302 to {page}" : "400";
        var mode = c.Verify switch
        {
            ClientVerifyMode.On => $"a client certificate from the CA bundle of Secret {c.Secret} is required ({failure} otherwise)",
            ClientVerifyMode.Optional => $"a client certificate is optional; one that does not verify against Secret {c.Secret} is answered {failure}",
            ClientVerifyMode.OptionalNoCa => $"a client certificate is optional; an unknown CA is tolerated, other verification errors against Secret {c.Secret} are answered {failure}",
            _ => "no client certificate is asked for",
        };
        return mode + string.Create(CultureInfo.InvariantCulture, $", chain depth ≤ {c.Depth}") + (c.HasCrl ? ", revocation checked against ca.crl" : "")
            + (c.MatchCn is { } cn ? $"; subject DN must match /{cn}/ (403 otherwise)" : "")
            + "; ssl-client-verify, -subject-dn, -issuer-dn" + (c.PassCertificate ? ", -cert" : "") + " sent upstream (client copies dropped); not bypassed by satisfy any";
    }

    private static string Describe(JwtPolicy j)
    {
        var keys = j.JwksUrl is { } url ? $"keys from {url} (fetched in the background, refreshed every 5 min; 503 until the first fetch succeeds)"
            : $"keys {string.Join(", ", j.KeyIds)} from Secret {j.JwksSecret}";
        return $"JWT from {j.Source}: {string.Join("/", j.Algorithms)} signed with {keys}; iss {j.Issuer}" +
            (j.Audiences.Count > 0 ? $", aud one of {string.Join(", ", j.Audiences)}" : ", any aud") +
            string.Create(CultureInfo.InvariantCulture, $", exp required, clock skew {j.ClockSkewSeconds} s") +
            (j.RequiredClaims.Count > 0 ? "; requires " + string.Join(", ", j.RequiredClaims.Select(c => $"{c.Claim}={c.Value}")) : "") +
            (j.ClaimsToHeaders.Count > 0 ? "; sends " + string.Join(", ", j.ClaimsToHeaders.Select(c => $"{c.Claim} as {c.Header}")) + " upstream (client copies dropped)" : "") +
            " (401 with WWW-Authenticate: Bearer otherwise)";
    }

    /// <summary>The steps of a route with policies <paramref name="p"/> on a host whose client-certificate policy is <paramref name="clientCert"/>.</summary>
    public static IReadOnlyList<PlannedStep> For(RoutePolicies p, GlobalSettings settings, ClientCertPolicy? clientCert = null)
    {
        var steps = new List<PlannedStep>();
        if (p.WwwRedirect is { } www)
        {
            steps.Add(new(StepKind.WwwRedirect, $"answers {www.Code} to scheme://{www.Host}:port + the request target (from-to-www-redirect)"));
            return steps;
        }

        if (p.AppRoot is { } root)
        {
            steps.Add(new(StepKind.AppRoot, $"a request for \"/\" is redirected (302) to {root}"));
        }

        if (p.Deny is { } deny)
        {
            steps.Add(new(StepKind.Deny, $"answers {deny.Status}: {deny.Reason}"));
            return steps;
        }

        if (p.Answer is { Headers.Count: > 0 } answer)
        {
            steps.Add(new(StepKind.ResponseHeaders, "sets " + string.Join(", ", answer.Headers.Select(h => h.Name)) + " on every answer"));
        }

        if (p.Cors is { } cors)
        {
            var origins = cors.AnyOrigin ? "any origin (*)"
                : cors.Origins.Count + cors.WildcardOrigins.Count == 0 ? "no origin (the allow list failed validation)"
                : string.Join(", ", cors.Origins.Concat(cors.WildcardOrigins.Select(w => $"{w.Scheme}://*.{w.Suffix}{(w.Port is null ? "" : ":" + w.Port)}")));
            steps.Add(new(StepKind.Cors, $"CORS for {origins}; preflight answered 204; credentials {(cors.AllowCredentials ? "true" : "off")}, max-age {cors.MaxAgeSeconds}"));
        }

        if (p.Redirect is { } redirect)
        {
            steps.Add(new(StepKind.Redirect, $"answers {redirect.Code} to {redirect.Url}"));
            return steps;
        }

        if (p.Rewrite is { } rewrite)
        {
            steps.Add(new(StepKind.Rewrite, $"path sent upstream becomes {rewrite.Target} (query kept)" + (rewrite.ForwardedPrefix is { } prefix ? $", X-Forwarded-Prefix: {prefix}" : "")));
        }

        if (p.HttpsRedirect is { } https)
        {
            steps.Add(new(StepKind.HttpsRedirect, $"plain HTTP answered {https.Code} to https" + (https.PreserveTrailingSlash ? " (trailing slash kept)" : "")));
        }

        if (p.RateLimit is { } limit)
        {
            var parts = new List<string>();
            if (limit.RequestsPerSecond > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{limit.RequestsPerSecond} req/s (burst {limit.RequestsPerSecond * limit.BurstMultiplier})"));
            }

            if (limit.RequestsPerMinute > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{limit.RequestsPerMinute} req/min (burst {limit.RequestsPerMinute * limit.BurstMultiplier})"));
            }

            if (limit.Connections > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{limit.Connections} concurrent"));
            }

            steps.Add(new(StepKind.RateLimit, "per client address: " + string.Join(", ", parts) + (limit.Exempt.Count > 0 ? $"; exempt: {string.Join(", ", limit.Exempt)}" : "")));
        }

        if (clientCert is { } cert)
        {
            steps.Add(new(StepKind.ClientCert, Describe(cert)));
        }

        if (p.SourceRanges is { } ranges)
        {
            var parts = new List<string>();
            if (ranges.Deny.Count > 0)
            {
                parts.Add("deny " + string.Join(", ", ranges.Deny));
            }

            if (ranges.Allow.Count > 0)
            {
                parts.Add("allow only " + string.Join(", ", ranges.Allow));
            }

            steps.Add(new(StepKind.SourceRanges, string.Join("; ", parts) + " (403 otherwise)" + AnyOf(p)));
        }

        if (p.BasicAuth is { } basic)
        {
            steps.Add(new(StepKind.BasicAuth, $"basic auth, realm \"{basic.Realm}\", {basic.Users.Count} user(s) from Secret {basic.Secret} (401 otherwise; Authorization not sent upstream)" + AnyOf(p)));
        }

        if (p.ExternalAuth is { } external)
        {
            steps.Add(new(StepKind.ExternalAuth, $"{(external.Global ? "global " : "")}external auth: {external.Method ?? "GET"} {external.Url} without the body; 2xx passes" +
                (external.ResponseHeaders.Count > 0 ? $" (copying {string.Join(", ", external.ResponseHeaders)} upstream)" : "") +
                $", 401/403 to the client{(external.SigninUrl is { } signin ? $" (401 redirected to {signin})" : "")}, anything else 500" +
                (external.CacheKey is { } key ? $"; answers cached by {key}" : "") + AnyOf(p)));
        }

        if (p.Jwt is { } jwt)
        {
            steps.Add(new(StepKind.Jwt, Describe(jwt) + AnyOf(p)));
        }

        if (p.Mirror is { } mirror)
        {
            steps.Add(new(StepKind.Mirror, $"a copy of each request goes to {mirror.Url}{(mirror.AppendRequestUri ? "$request_uri" : "")} (Host: {mirror.Host}{(mirror.Body ? ", with the body" : ", without the body")}); fire and forget"));
        }

        if (p.Canary is { } canary)
        {
            var rules = new List<string>();
            if (canary.Header is { } header)
            {
                rules.Add(canary.HeaderValue is { } value ? $"header {header}: {value}"
                    : canary.HeaderPattern is { } pattern ? $"header {header} matching /{pattern}/{(canary.HeaderPatternInvalid ? " (invalid: the header sends to the primary)" : "")}"
                    : $"header {header}: always/never");
            }

            if (canary.Cookie is { } cookie)
            {
                rules.Add($"cookie {cookie}: always/never");
            }

            rules.Add(string.Create(CultureInfo.InvariantCulture, $"{canary.Weight} in {canary.WeightTotal} at random"));
            steps.Add(new(StepKind.Canary, $"canary {canary.BackendId} of Ingress {canary.Ingress}, chosen by {string.Join(", then ", rules)}; never while it has no ready endpoint"));
        }

        var balance = p.Balance switch
        {
            null => "round robin",
            { Affinity: { } a } => $"cookie affinity ({(a.Persistent ? "persistent" : "balanced")}, cookie {a.CookieName})",
            { Algorithm: BalanceAlgorithm.ConsistentHash } b => $"consistent hash of {b.HashBy}" + (b.SubsetSize > 0 ? $" onto groups of {b.SubsetSize}, random within" : ""),
            _ => "EWMA of response times, best of two random endpoints",
        };
        var u = p.Upstream ?? UpstreamPolicy.From(settings);
        steps.Add(new(StepKind.Forward, string.Create(CultureInfo.InvariantCulture,
            $"{u.Protocol} to the backend by {balance}{(u.ResponseBuffering ? $"; answers buffered ({u.ResponseBufferBytes / 1024} KiB memory, {u.ResponseTempFileBytes / (1024 * 1024)} MiB temp file)" : "")}{(u.LimitRateBytes > 0 ? $"; answers sent at {u.LimitRateBytes / 1024} KiB/s after {u.LimitRateAfterBytes / 1024} KiB" : "")}{(u.Host is null ? "" : $", Host: {u.Host}")}; body ≤ {(u.BodySize == 0 ? "unlimited" : u.BodySize + " bytes")}; timeouts connect {u.ConnectTimeoutMs / 1000} s, send {u.SendTimeoutMs / 1000} s, read {u.ReadTimeoutMs / 1000} s; up to {u.NextUpstreamTries} tries")));
        return steps;
    }
}
