using System.Text.Json.Serialization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>nginx's <c>ssl_verify_client</c>: whether a client certificate is asked for and must verify.</summary>
public enum ClientVerifyMode
{
    /// <summary>A certificate is asked for and must verify against the CA bundle (400 otherwise).</summary>
    On,

    /// <summary>No certificate is asked for; the headers say <c>NONE</c>.</summary>
    Off,

    /// <summary>A certificate is asked for; none is fine, one that does not verify is 400.</summary>
    Optional,

    /// <summary>As <see cref="Optional"/>, and a certificate from an unknown CA (or self-signed) passes too (<c>FAILED:...</c> upstream).</summary>
    OptionalNoCa,
}

/// <summary>
/// Client-certificate authentication of one host (an nginx server): <c>auth-tls-secret</c> and its companions, as
/// the oldest Ingress of the host with an <c>auth-tls-secret</c> sets them. Compared by value: two hosts with equal
/// policies may share a connection (HTTP/2 coalescing); a request whose host's policy differs from the one its
/// connection was handshaken with is answered 421. <see cref="Problem"/> set means the Secret could not be used and
/// every request of the host is answered 403 (fail closed).
/// </summary>
public sealed record ClientCertPolicy(string Secret, ClientVerifyMode Verify, int Depth)
{
    /// <summary><c>ca.crt</c>: the trusted CA certificates, PEM (compared, never printed).</summary>
    [JsonIgnore]
    public string CaPem { get; init; } = "";

    /// <summary>SHA-256 thumbprints of the CA certificates in <see cref="CaPem"/>, for <c>alb explain</c> and the golden files.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public EquatableArray<string> CaThumbprints { get; init; }

    /// <summary><c>ca.crl</c>: certificate revocation lists, PEM; null = no revocation check.</summary>
    [JsonIgnore]
    public string? CrlPem { get; init; }

    /// <summary>Whether <see cref="CrlPem"/> is set (what the golden files show of it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool HasCrl => CrlPem is not null;

    /// <summary><c>auth-tls-error-page</c>: a failed or missing certificate is answered 302 to this URL or path instead of 400.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorPage { get; init; }

    /// <summary><c>auth-tls-pass-certificate-to-upstream</c>: the certificate goes upstream URL-encoded in <c>ssl-client-cert</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PassCertificate { get; init; }

    /// <summary><c>auth-tls-match-cn</c>: an unanchored, case-sensitive regex the subject DN must match (403 otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MatchCn { get; init; }

    /// <summary>Why the Secret cannot be used; set = every request of the host is answered 403.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Problem { get; init; }

    /// <summary>Whether the TLS handshake asks the client for a certificate.</summary>
    [JsonIgnore]
    public bool AsksForCertificate => Problem is null && Verify != ClientVerifyMode.Off;
}

/// <summary>The request headers alb sets for a host with a client-certificate policy; client-sent copies are always removed.</summary>
public static class ClientCertHeaders
{
    public const string Verify = "ssl-client-verify";
    public const string SubjectDn = "ssl-client-subject-dn";
    public const string IssuerDn = "ssl-client-issuer-dn";
    public const string Certificate = "ssl-client-cert";

    public static IReadOnlyList<string> All { get; } = [Verify, SubjectDn, IssuerDn, Certificate];
}
