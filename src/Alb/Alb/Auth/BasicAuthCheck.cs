using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Alb.Core.Auth;
using Alb.Core.Policies;

namespace Alb.Auth;

/// <summary>
/// <c>auth-type: basic</c> as nginx's auth_basic checks it: <c>Authorization: Basic base64(user:password)</c>, the user
/// looked up in the Secret's htpasswd entries and the password verified against its hash; 401 with the realm's
/// challenge otherwise (no header, a malformed one, an unknown user, a wrong password). An unknown user still costs a
/// verification, so response times do not tell which users exist.
/// </summary>
internal sealed class BasicAuthCheck : AccessCheck, ILoopCheck
{
    private const int MaxCredentialsLength = 4096;
    private readonly Dictionary<string, (PasswordHash Hash, string Text)> _users = new(StringComparer.Ordinal);
    private readonly (PasswordHash Hash, string Text)? _decoy;
    private readonly string _challenge;
    private readonly PasswordVerifier _verifier;

    public BasicAuthCheck(BasicAuthPolicy policy, PasswordVerifier verifier)
    {
        _verifier = verifier;
        _challenge = $"Basic realm=\"{policy.Realm}\"";
        foreach (var user in policy.Users)
        {
            if (PasswordHash.TryParse(user.Hash, out var hash, out _) && hash is not null)
            {
                _users.TryAdd(user.Name, (hash, user.Hash));
            }
        }

        _decoy = _users.Count > 0 ? _users.Values.First() : null;
    }

    public override async ValueTask<AccessVerdict> CheckAsync(HttpContext context)
    {
        if (!TryReadCredentials(context.Request.Headers.Authorization.ToString(), out var user, out var password))
        {
            return Unauthorized;
        }

        var known = _users.TryGetValue(user, out var entry);
        if (!known && _decoy is not { } decoy)
        {
            return Unauthorized;
        }

        var (hash, text) = known ? entry : _decoy!.Value;
        var check = await _verifier.VerifyAsync(hash, text, password).ConfigureAwait(false);
        return check switch
        {
            PasswordCheck.Valid when known => AccessVerdict.Allow,
            PasswordCheck.Busy => new AccessVerdict(StatusCodes.Status503ServiceUnavailable),
            _ => Unauthorized,
        };
    }

    /// <summary>
    /// On the loop: a missing or malformed header is refused at once, a remembered password passes; anything that
    /// needs a hash computed (bcrypt costs milliseconds: never on the loop's thread), an unknown user's decoy included,
    /// waits for <see cref="CheckAsync"/> off the loop.
    /// </summary>
    public AccessVerdict? Decide(LoopAccessRequest request)
    {
        if (!TryReadCredentials(request.Fields("Authorization").ToString(), out var user, out var password))
        {
            return Unauthorized;
        }

        if (!_users.TryGetValue(user, out var entry))
        {
            return _decoy is null ? Unauthorized : null;
        }

        return _verifier.IsRemembered(entry.Text, password) ? AccessVerdict.Allow : null;
    }

    private AccessVerdict Unauthorized => new(StatusCodes.Status401Unauthorized, _challenge);

    /// <summary>nginx's parse: the scheme <c>Basic</c> in any case, spaces, base64 of <c>user:password</c> (split at the first colon).</summary>
    internal static bool TryReadCredentials(string header, out string user, out string password)
    {
        user = password = "";
        if (header.Length is < 6 or > MaxCredentialsLength || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = header.AsSpan(6).Trim(' ');
        var bytes = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(encoded.Length));
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, bytes, out var length))
            {
                return false;
            }

            var decoded = bytes.AsSpan(0, length);
            var colon = decoded.IndexOf((byte)':');
            if (colon < 0)
            {
                return false;
            }

            user = Encoding.UTF8.GetString(decoded[..colon]);
            password = Encoding.UTF8.GetString(decoded[(colon + 1)..]);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes, clearArray: true);
        }
    }
}
