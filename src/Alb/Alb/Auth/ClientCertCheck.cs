using System.Text.RegularExpressions;
using Alb.Core.Policies;
using Alb.Tls;
using Microsoft.AspNetCore.Connections.Features;

namespace Alb.Auth;

/// <summary>
/// A host's client-certificate policy, checked per request in the access phase (first, and not skipped by satisfy
/// any): the connection's certificate is verified against the host's CA bundle once per connection; a missing one
/// under <c>on</c>, or one that does not verify (an unknown CA passes under <c>optional_no_ca</c>), is answered 400
/// with nginx's text, or 302 to <c>auth-tls-error-page</c>; <c>auth-tls-match-cn</c> is matched against the subject
/// DN (403). A request that passes carries <c>ssl-client-verify</c>, <c>-subject-dn</c>, <c>-issuer-dn</c> and, when
/// asked, <c>ssl-client-cert</c> to the backend (the proxy removed any the client sent). An unusable Secret is 403.
/// </summary>
internal sealed class ClientCertCheck : AccessCheck
{
    private static readonly byte[] CertificateError = "400 The SSL certificate error\n"u8.ToArray();
    private readonly ClientCertPolicy _policy;
    private readonly ClientCertVerifier _verifier;
    private readonly Regex? _matchCn;

    public ClientCertCheck(ClientCertPolicy policy, TimeProvider time)
    {
        _policy = policy;
        _verifier = new ClientCertVerifier(policy, time);
        _matchCn = policy.MatchCn is { } pattern ? new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant) : null;
    }

    public ClientCertPolicy Policy => _policy;

    public override bool Required => true;

    public override ValueTask<AccessVerdict> CheckAsync(HttpContext context)
    {
        if (_policy.Problem is not null)
        {
            return ValueTask.FromResult(new AccessVerdict(StatusCodes.Status403Forbidden));
        }

        var result = ResultFor(context);
        var failed = result.Outcome switch
        {
            ClientCertOutcome.None => _policy.Verify == ClientVerifyMode.On ? ClientCertHandshake.NoCertificate : null,
            ClientCertOutcome.Failed when _policy.Verify == ClientVerifyMode.OptionalNoCa && result.UnknownCa => null,
            ClientCertOutcome.Failed => CertificateError,
            _ => null,
        };
        if (failed is not null)
        {
            return ValueTask.FromResult(_policy.ErrorPage is { } page
                ? new AccessVerdict(StatusCodes.Status302Found, Location: page)
                : new AccessVerdict(StatusCodes.Status400BadRequest, Body: failed));
        }

        if (_matchCn is not null && !_matchCn.IsMatch(result.SubjectDn))
        {
            return ValueTask.FromResult(new AccessVerdict(StatusCodes.Status403Forbidden));
        }

        var headers = context.Request.Headers;
        headers[ClientCertHeaders.Verify] = result.Header;
        if (result.SubjectDn.Length > 0)
        {
            headers[ClientCertHeaders.SubjectDn] = result.SubjectDn;
        }

        if (result.IssuerDn.Length > 0)
        {
            headers[ClientCertHeaders.IssuerDn] = result.IssuerDn;
        }

        if (_policy.PassCertificate && result.Certificate is { } certificate)
        {
            headers[ClientCertHeaders.Certificate] = Uri.EscapeDataString(certificate.ExportCertificatePem() + "\n");
        }

        return ValueTask.FromResult(AccessVerdict.Allow);
    }

    /// <summary>The verification of the connection's certificate, once per connection and policy.</summary>
    private ClientCertResult ResultFor(HttpContext context)
    {
        var certificate = context.Connection.ClientCertificate;
        if (certificate is null || _policy.Verify == ClientVerifyMode.Off)
        {
            return ClientCertResult.None;
        }

        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(typeof(ClientCertCheck), out var cached) && cached is Cached(var verifier, var known) && ReferenceEquals(verifier, _verifier) && ReferenceEquals(known.Certificate, certificate))
        {
            return known;
        }

        var result = _verifier.Verify(certificate, Tls.ClientCertHandshake.Of(context)?.Intermediates);
        if (items is not null)
        {
            items[typeof(ClientCertCheck)] = new Cached(_verifier, result);
        }

        return result;
    }

    private sealed record Cached(ClientCertVerifier Verifier, ClientCertResult Result);
}
