using System.Text.Json.Serialization;

namespace Alb.Core.Policies;

/// <summary>
/// The <c>proxy-ssl-*</c> keys for HTTPS and GRPCS backends: verify the backend's certificate against the Secret's
/// <c>ca.crt</c> (and its name against <see cref="Name"/>), present the Secret's <c>tls.crt</c>/<c>tls.key</c> as a
/// client certificate, send SNI. The PEM texts are part of equality (a rotation is a change) but never serialized.
/// </summary>
public sealed record BackendTlsPolicy(
    string Secret,
    bool Verify,
    int VerifyDepth,
    string? Name,
    bool SendServerName,
    bool Tls13Allowed,
    bool Tls12Allowed,
    [property: JsonIgnore] string? CaPem,
    [property: JsonIgnore] string? CertificatePem,
    [property: JsonIgnore] string? KeyPem)
{
    public override string ToString() => $"BackendTlsPolicy {Secret} verify={Verify}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Secret = ").Append(Secret).Append(", Verify = ").Append(Verify);
        return true;
    }
}
