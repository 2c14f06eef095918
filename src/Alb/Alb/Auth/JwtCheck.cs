using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Alb.Core.Policies;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Alb.Auth;

/// <summary>
/// <c>alb.edge.io/auth-jwt-*</c>: the token is taken from its source, bounded to 8 KiB, and validated by
/// Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/> (signature by a JWKS key with an allowed algorithm,
/// iss, aud, exp required, nbf, clock skew), then the required claims are checked. Answers as RFC 6750 has them: no
/// token is 401 with <c>Bearer realm</c>; a bad one is 401 with <c>error="invalid_token"</c> and a description from
/// a fixed set (never the token); keys never fetched is 503. On success the claims-to-headers values go upstream.
/// A token that verified is remembered under its SHA-256 until its expiry (at most 5 minutes) while the keys it was
/// checked with stay current, so a client sending the same token again costs a hash, not a signature check.
/// </summary>
internal sealed class JwtCheck : AccessCheck, ILoopCheck
{
    public const int MaxTokenLength = 8 * 1024;
    private const int MaxHeaderValueLength = 4096;
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    private readonly JwtPolicy _policy;
    private readonly JwksSource? _source;
    private readonly TokenValidationParameters _template;
    private (JwksKeys? Keys, TokenValidationParameters? Parameters) _current;
    private const int MaxVerified = 10_000;
    private static readonly TimeSpan VerifiedLifetime = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<UInt128, Verified> _verified = new();

    /// <summary>A token that passed: until when, with which keys, and its claims-to-headers values.</summary>
    private sealed record Verified(DateTime Until, TokenValidationParameters Parameters, JwtHeadersFeature? Headers);

    /// <summary>Lifetimes are checked against the system clock: TokenValidationParameters.TimeProvider is not public in 8.23.0.</summary>
    public JwtCheck(JwtPolicy policy, JwksSource? source)
    {
        _policy = policy;
        _source = source;
        _template = new TokenValidationParameters
        {
            ValidIssuer = policy.Issuer,
            ValidateIssuer = true,
            ValidAudiences = policy.Audiences,
            ValidateAudience = policy.Audiences.Count > 0,
            ValidAlgorithms = policy.Algorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = false, // a JWKS key has no validity of its own to check
            TryAllIssuerSigningKeys = true,
            ClockSkew = TimeSpan.FromSeconds(policy.ClockSkewSeconds),
            IncludeTokenOnFailedValidation = true, // to read alg and kid of a refused token (never logged)
            SaveSigninToken = false,
        };
        if (source is null)
        {
            var keys = policy.JwksJson is { } json && JwksKeys.TryParse(json, out var parsed) is null ? parsed : null;
            _current = (keys, keys is null ? null : For(keys));
        }
    }

    /// <summary>The loop decides a token from any source: the Authorization header, a named header or a cookie.</summary>
    public bool LoopCapable => true;

    /// <summary>
    /// On the loop: no token, or one too long, is refused at once; a token verified before with the current keys
    /// passes (its claims-to-headers values with it); anything else (a signature to check, keys not fetched yet)
    /// waits for <see cref="CheckAsync"/> off the loop.
    /// </summary>
    public AccessVerdict? Decide(LoopAccessRequest request)
    {
        var (found, token) = JwtTokens.Read(_policy.Source, request.Fields);
        if (!found)
        {
            return new AccessVerdict(StatusCodes.Status401Unauthorized, Challenge(new HostString(request.Host).Host, null));
        }

        if (token.Length > MaxTokenLength)
        {
            return new AccessVerdict(StatusCodes.Status401Unauthorized, Challenge(new HostString(request.Host).Host, "the token is too long"));
        }

        var parameters = _source is null ? _current.Parameters : _source.Keys is { } keys && ReferenceEquals(_current.Keys, keys) ? _current.Parameters : null;
        if (parameters is not null && _verified.TryGetValue(CacheKeys.Of(token.Span), out var verified) && ReferenceEquals(verified.Parameters, parameters) && DateTime.UtcNow < verified.Until)
        {
            request.Claims = verified.Headers;
            return AccessVerdict.Allow;
        }

        return null;
    }

    public override async ValueTask<AccessVerdict> CheckAsync(HttpContext context)
    {
        var (found, token) = JwtTokens.Read(_policy.Source, context);
        if (!found)
        {
            return new AccessVerdict(StatusCodes.Status401Unauthorized, Challenge(context, null));
        }

        if (token.Length > MaxTokenLength)
        {
            return Invalid(context, "the token is too long");
        }

        var parameters = await ParametersAsync().ConfigureAwait(false);
        if (parameters is null)
        {
            return new AccessVerdict(StatusCodes.Status503ServiceUnavailable);
        }

        var key = CacheKeys.Of(token.Span);
        if (_verified.TryGetValue(key, out var verified) && ReferenceEquals(verified.Parameters, parameters) && DateTime.UtcNow < verified.Until)
        {
            if (verified.Headers is not null)
            {
                context.Features.Set(verified.Headers); // immutable: one instance serves every request with this token
            }

            return AccessVerdict.Allow;
        }

        var text = token.ToString(); // only a token not seen before becomes a string
        var result = await Handler.ValidateTokenAsync(text, parameters).ConfigureAwait(false);
        if (!result.IsValid && _source is not null && result.TokenOnFailedValidation is JsonWebToken { Kid: { Length: > 0 } kid }
            && _current.Keys?.HasKid(kid) == false && result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
            && await _source.RefreshForUnknownKidAsync().ConfigureAwait(false) && await ParametersAsync().ConfigureAwait(false) is { } refreshed)
        {
            result = await Handler.ValidateTokenAsync(text, refreshed).ConfigureAwait(false);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return Invalid(context, Describe(result));
        }

        var claims = jwt.Claims.ToList();
        foreach (var required in _policy.RequiredClaims)
        {
            if (!claims.Any(c => c.Type == required.Claim && c.Value == required.Value))
            {
                return Invalid(context, "a required claim is missing");
            }
        }

        JwtHeadersFeature? headers = null;
        if (_policy.ClaimsToHeaders.Count > 0)
        {
            headers = new JwtHeadersFeature([.. _policy.ClaimsToHeaders.Select(h => (h.Header, HeaderValue(claims, h.Claim)))]);
            context.Features.Set(headers);
        }

        Remember(key, jwt.ValidTo, await ParametersAsync().ConfigureAwait(false), headers);
        return AccessVerdict.Allow;
    }

    private void Remember(UInt128 key, DateTime expires, TokenValidationParameters? parameters, JwtHeadersFeature? headers)
    {
        var until = DateTime.UtcNow + VerifiedLifetime;
        if (parameters is null || expires <= DateTime.UtcNow)
        {
            return;
        }

        if (_verified.Count >= MaxVerified)
        {
            _verified.Clear();
        }

        _verified[key] = new Verified(expires < until ? expires : until, parameters, headers);
    }

    /// <summary>The validation parameters with the current keys; null while no key was ever fetched (503).</summary>
    private async ValueTask<TokenValidationParameters?> ParametersAsync()
    {
        if (_source is null)
        {
            return _current.Parameters;
        }

        var keys = _source.Keys;
        if (keys is null && await _source.WaitForKeysAsync().ConfigureAwait(false))
        {
            keys = _source.Keys;
        }

        if (keys is null)
        {
            return null;
        }

        var current = _current;
        if (!ReferenceEquals(current.Keys, keys))
        {
            current = (keys, For(keys));
            _current = current;
        }

        return current.Parameters;
    }

    private TokenValidationParameters For(JwksKeys keys)
    {
        var parameters = _template.Clone();
        parameters.IssuerSigningKeys = keys.Keys;
        return parameters;
    }

    private static AccessVerdict Invalid(HttpContext context, string description) =>
        new(StatusCodes.Status401Unauthorized, Challenge(context, description));

    /// <summary>RFC 6750 §3: the realm is the request's host; the description is one of this file's fixed texts.</summary>
    private static string Challenge(HttpContext context, string? description) => Challenge(context.Request.Host.Host, description);

    private static string Challenge(string host, string? description)
    {
        var realm = new string(host.Where(ch => ch is > ' ' and < (char)0x7f and not '"' and not '\\').ToArray());
        return description is null ? $"Bearer realm=\"{realm}\"" : $"Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{description}\"";
    }

    private string Describe(TokenValidationResult result)
    {
        if (result.TokenOnFailedValidation is JsonWebToken token && !_policy.Algorithms.Contains(token.Alg))
        {
            return "the token's algorithm is not accepted";
        }

        return result.Exception switch
        {
            SecurityTokenExpiredException => "the token has expired",
            SecurityTokenNotYetValidException => "the token is not valid yet",
            SecurityTokenNoExpirationException => "the token has no expiry",
            SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
            SecurityTokenInvalidAudienceException => "the token's audience is not accepted",
            SecurityTokenInvalidAlgorithmException => "the token's algorithm is not accepted",
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify",
            SecurityTokenMalformedException or ArgumentException => "the token is malformed",
            _ => "the token is not valid",
        };
    }

    /// <summary>A claim's value for a header: array values joined by ", "; non-ASCII text percent-encoded (UTF-8); null when absent, too long or holding control characters.</summary>
    private static string? HeaderValue(List<Claim> claims, string name)
    {
        var values = claims.Where(c => c.Type == name).Select(c => c.Value).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var value = string.Join(", ", values);
        if (value.Any(char.IsControl))
        {
            return null;
        }

        if (value.Any(ch => ch >= (char)0x7f))
        {
            var builder = new StringBuilder(value.Length * 3);
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                _ = b is >= 0x20 and < 0x7f and not (byte)'%' ? builder.Append((char)b) : builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            value = builder.ToString();
        }

        return value.Length is > 0 and <= MaxHeaderValueLength ? value : null;
    }
}

/// <summary>The claims-to-headers of a route on the upstream request, set by a passed JWT check.</summary>
internal sealed record JwtHeadersFeature(List<(string Name, string? Value)> Headers);
