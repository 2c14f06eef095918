using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alb.Core.Policies;
using Alb.Core.Tls;

namespace Alb.Tls;

/// <summary>What verifying a client certificate gave, as nginx's <c>$ssl_client_verify</c> says it.</summary>
internal sealed record ClientCertResult(ClientCertOutcome Outcome, string Reason, bool UnknownCa, string SubjectDn, string IssuerDn, X509Certificate2? Certificate)
{
    public static ClientCertResult None { get; } = new(ClientCertOutcome.None, "", false, "", "", null);

    /// <summary><c>SUCCESS</c>, <c>NONE</c> or <c>FAILED:reason</c>.</summary>
    public string Header => Outcome switch
    {
        ClientCertOutcome.Success => "SUCCESS",
        ClientCertOutcome.None => "NONE",
        _ => "FAILED:" + Reason,
    };
}

internal enum ClientCertOutcome
{
    None,
    Success,
    Failed,
}

/// <summary>
/// One host's CA bundle, depth and CRLs, compiled once per publish: verifies a client certificate with an
/// <see cref="X509Chain"/> that trusts only the bundle (no system roots, no downloads), the client-auth purpose as
/// OpenSSL's SSL server checks it, at most <c>depth</c> certificates above the leaf, and, with <c>ca.crl</c>, every
/// certificate of the chain below its root against a CRL of its issuer (OpenSSL's CRL_CHECK_ALL, as nginx's ssl_crl).
/// </summary>
internal sealed class ClientCertVerifier
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly X509Certificate2Collection _roots = [];
    private readonly List<RevocationList>? _crls;
    private readonly int _depth;
    private readonly TimeProvider _time;

    public ClientCertVerifier(ClientCertPolicy policy, TimeProvider time)
    {
        _time = time;
        _depth = policy.Depth;
        if (policy.Problem is null && policy.CaPem.Length > 0)
        {
            _roots.ImportFromPem(policy.CaPem);
        }

        if (policy.CrlPem is { } crl && RevocationList.TryParseAll(crl, out var lists, out _))
        {
            _crls = lists;
        }
    }

    public ClientCertResult Verify(X509Certificate2? certificate, X509Certificate2Collection? intermediates = null)
    {
        if (certificate is null)
        {
            return ClientCertResult.None;
        }

        var subject = DistinguishedNames.Rfc2253(certificate.SubjectName);
        var issuer = DistinguishedNames.Rfc2253(certificate.IssuerName);
        var (reason, unknownCa) = Check(certificate, intermediates);
        return new ClientCertResult(reason is null ? ClientCertOutcome.Success : ClientCertOutcome.Failed, reason ?? "", unknownCa, subject, issuer, certificate);
    }

    private (string? Reason, bool UnknownCa) Check(X509Certificate2 certificate, X509Certificate2Collection? intermediates)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        policy.ExtraStore.AddRange(_roots);
        if (intermediates is not null)
        {
            policy.ExtraStore.AddRange(intermediates);
        }
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(ClientAuth);
        try
        {
            var built = chain.Build(certificate);
            var elements = chain.ChainElements;
            try
            {
                if (!built)
                {
                    return Reason(chain, certificate);
                }

                if (elements.Count - 1 > _depth)
                {
                    return ("certificate chain too long", false);
                }

                return (_crls is null ? null : Revocation(elements), false);
            }
            finally
            {
                foreach (var element in elements)
                {
                    if (!ReferenceEquals(element.Certificate, certificate))
                    {
                        element.Certificate.Dispose();
                    }
                }
            }
        }
        catch (CryptographicException)
        {
            return ("certificate could not be read", false);
        }
    }

    /// <summary>OpenSSL's words for the first error of the chain.</summary>
    private (string Reason, bool UnknownCa) Reason(X509Chain chain, X509Certificate2 leaf)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return (leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData) ? "self signed certificate" : "unable to get local issuer certificate", true);
        }

        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            var now = _time.GetUtcNow();
            var expired = chain.ChainElements.Any(e => new DateTimeOffset(e.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero) < now);
            return (expired ? "certificate has expired" : "certificate is not yet valid", false);
        }

        if ((flags & (X509ChainStatusFlags.NotValidForUsage | X509ChainStatusFlags.InvalidExtension)) != 0)
        {
            return ("unsupported certificate purpose", false);
        }

        if ((flags & X509ChainStatusFlags.NotSignatureValid) != 0)
        {
            return ("certificate signature failure", false);
        }

        return ("certificate verify failed", false);
    }

    private string? Revocation(X509ChainElementCollection elements)
    {
        var now = _time.GetUtcNow();
        for (var i = 0; i < elements.Count - 1; i++)
        {
            var subject = elements[i].Certificate;
            var issuer = elements[i + 1].Certificate;
            var crl = _crls!.FirstOrDefault(c => c.Issuer.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData) && c.IsSignedBy(issuer));
            if (crl is null)
            {
                return "unable to get certificate CRL";
            }

            if (crl.NextUpdate is { } next && next < now)
            {
                return "CRL has expired";
            }

            if (crl.ThisUpdate > now)
            {
                return "CRL is not yet valid";
            }

            if (crl.Lists(subject))
            {
                return "certificate revoked";
            }
        }

        return null;
    }
}
