using System.Runtime.CompilerServices;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Alb.Auth;

/// <summary>
/// EdDSA (RFC 8037, Ed25519 only) for Microsoft.IdentityModel, which has none in 8.23.0: an <see cref="ICryptoProvider"/>
/// set as the <see cref="CryptoProviderFactory.CustomCryptoProvider"/> of <see cref="Factory"/>, the factory that
/// <see cref="JwksKeys"/> gives each usable OKP key (RSA and EC keys keep IdentityModel's default factory). IdentityModel
/// still parses the token, picks the key, checks the algorithm allowlist, issuer, audience and lifetime; only the
/// signature check of an <c>EdDSA</c> token against an OKP Ed25519 key is done here, by BouncyCastle. Verification only:
/// alb never holds a private key, and a JWK's <c>d</c> is never read.
/// </summary>
internal sealed class Ed25519CryptoProvider : ICryptoProvider
{
    public const string Algorithm = "EdDSA";
    public const int PublicKeyLength = 32;

    public static Ed25519CryptoProvider Instance { get; } = new();

    /// <summary>The factory of alb's OKP keys: one of its own, not <see cref="CryptoProviderFactory.Default"/>, so no other key or code sees EdDSA.</summary>
    public static CryptoProviderFactory Factory { get; } = new() { CustomCryptoProvider = Instance, CacheSignatureProviders = false };

    /// <summary>Decoded public points per key object (the decoding is a field exponentiation; the keys live as long as their JWKS).</summary>
    private readonly ConditionalWeakTable<JsonWebKey, Decoded> _decoded = new();

    private sealed record Decoded(string X, Ed25519PublicKeyParameters? PublicKey);

    /// <summary>
    /// With a key (how the factory asks before verifying): true only for <c>EdDSA</c> with an OKP Ed25519 signing key
    /// whose <c>x</c> is 32 bytes encoding a point of the curve. Without arguments (how the factory asks before
    /// releasing a provider): true for the name <c>EdDSA</c>, so the release comes back here.
    /// </summary>
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        algorithm == Algorithm && (args is null or [] || (args[0] is JsonWebKey key && PublicKey(key) is not null));

    public object Create(string algorithm, params object[] args)
    {
        if (algorithm != Algorithm || args is null or [] || args[0] is not JsonWebKey key || PublicKey(key) is not { } publicKey)
        {
            throw new NotSupportedException($"alb's Ed25519 provider verifies {Algorithm} with an OKP Ed25519 key only");
        }

        if (args.Length > 1 && args[1] is true)
        {
            throw new NotSupportedException("alb verifies EdDSA signatures; it never signs");
        }

        return new Ed25519SignatureProvider(key, publicKey);
    }

    public void Release(object cryptoInstance)
    {
        // Nothing to free: a provider holds a public key and no native handle.
    }

    /// <summary>Whether <paramref name="key"/> can verify EdDSA here; gives it <see cref="Factory"/> when it can.</summary>
    public static bool TryAdopt(JsonWebKey key)
    {
        if (Instance.PublicKey(key) is null)
        {
            return false;
        }

        key.CryptoProviderFactory = Factory;
        return true;
    }

    /// <summary>The public key of an OKP Ed25519 signing JWK; null for another kty or crv, <c>use</c> other than sig, an <c>x</c> that is not 32 bytes or not a curve point.</summary>
    internal Ed25519PublicKeyParameters? PublicKey(JsonWebKey key)
    {
        if (key.Kty != "OKP" || key.Crv != "Ed25519" || (!string.IsNullOrEmpty(key.Use) && key.Use != "sig") || key.X is not { Length: > 0 } x)
        {
            return null;
        }

        if (_decoded.TryGetValue(key, out var decoded) && decoded.X == x)
        {
            return decoded.PublicKey;
        }

        decoded = new Decoded(x, Decode(x));
        _decoded.AddOrUpdate(key, decoded);
        return decoded.PublicKey;
    }

    private static Ed25519PublicKeyParameters? Decode(string x)
    {
        // 32 bytes are 43 base64url characters without padding; a padded or longer text is refused before decoding.
        if (x.Length != 43 || !x.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var bytes = Base64UrlEncoder.DecodeBytes(x);
        if (bytes.Length != PublicKeyLength)
        {
            return null;
        }

        try
        {
            return new Ed25519PublicKeyParameters(bytes);
        }
        catch (ArgumentException)
        {
            return null; // not a point of the curve
        }
    }
}

/// <summary>Verifies one Ed25519 signature (pure Ed25519, no context, RFC 8032 §5.1.7) with BouncyCastle; never signs.</summary>
internal sealed class Ed25519SignatureProvider : SignatureProvider
{
    public const int SignatureLength = 64;
    private readonly Ed25519PublicKeyParameters _publicKey;

    public Ed25519SignatureProvider(SecurityKey key, Ed25519PublicKeyParameters publicKey)
        : base(key, Ed25519CryptoProvider.Algorithm)
    {
        _publicKey = publicKey;
        WillCreateSignatures = false;
    }

    public override byte[] Sign(byte[] input) => throw NotSigning();

    public override byte[] Sign(byte[] input, int offset, int count) => throw NotSigning();

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) => throw NotSigning();

    public override bool Verify(byte[] input, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return Verify(input, 0, input.Length, signature, 0, signature.Length);
    }

    /// <summary>
    /// IdentityModel passes a pooled buffer longer than the signature, so only <paramref name="signatureLength"/> counts:
    /// anything but 64 bytes is false before BouncyCastle is asked (it reads exactly 64). The check itself works on
    /// public values only (the key, the message, the signature); BouncyCastle refuses a non-canonical S.
    /// </summary>
    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        if (signatureLength != SignatureLength)
        {
            return false;
        }

        var message = input.AsSpan(inputOffset, inputLength);
        var bytes = signature.AsSpan(signatureOffset, signatureLength);
        return _publicKey.Verify(Ed25519.Algorithm.Ed25519, null, message, bytes);
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing to free.
    }

    private static NotSupportedException NotSigning() => new("alb verifies EdDSA signatures; it never signs");
}
