using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Alb.Auth;
using Edge.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;
using static Alb.Tests.Auth.JwtFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// The EdDSA provider alone and inside IdentityModel: RFC 8037's example, which keys it takes, signature lengths,
/// malleability, that it never signs, that the process-wide factory is untouched, and a key and signature made by
/// openssl (another Ed25519 implementation than the BouncyCastle that verifies).
/// </summary>
public sealed class Ed25519CryptoProviderTests
{
    // RFC 8037 Appendix A.2 (public key) and A.4 (JWS of "Example of Ed25519 signing" with header {"alg":"EdDSA"}).
    private const string RfcX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    private const string RfcJws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    /// <summary>y = 2 is not the y of any point of edwards25519 ((y²-1)/(dy²+1) is not a square mod p).</summary>
    private const string NotAPoint = "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public void Verifies_the_RFC_8037_example_and_nothing_changed_in_it()
    {
        var key = Key($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{RfcX}\"}}");
        Assert.True(Ed25519CryptoProvider.TryAdopt(key));
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, "EdDSA");
        var (input, signature) = Split(RfcJws);
        Assert.True(provider.Verify(input, signature));

        for (var bit = 0; bit < 8; bit++)
        {
            var message = (byte[])input.Clone();
            message[^1] ^= (byte)(1 << bit);
            Assert.False(provider.Verify(message, signature), $"message bit {bit}");
            var forged = (byte[])signature.Clone();
            forged[bit * 7] ^= (byte)(1 << bit);
            Assert.False(provider.Verify(input, forged), $"signature byte {bit * 7}");
        }
    }

    [Theory]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"X"}""", true)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","use":"sig","x":"X"}""", true)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"X","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}""", true)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","use":"enc","x":"X"}""", false)]
    [InlineData("""{"kty":"OKP","crv":"Ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}""", false)]
    [InlineData("""{"kty":"OKP","crv":"Ed448","x":"X"}""", false)]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"X"}""", false)]
    [InlineData("""{"kty":"OKP","x":"X"}""", false)]
    [InlineData("""{"kty":"EC","crv":"Ed25519","x":"X"}""", false)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519"}""", false)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"}""", false)] // 31 bytes
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURoA"}""", false)] // 33 bytes
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="}""", false)] // padded
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS+7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", false)] // base64, not base64url
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""", false)] // NotAPoint
    public void Takes_only_an_OKP_Ed25519_signing_key_whose_x_is_a_32_byte_curve_point(string jwk, bool usable)
    {
        var key = Key(jwk.Replace("\"x\":\"X\"", $"\"x\":\"{RfcX}\"", StringComparison.Ordinal));
        Assert.Equal(usable, Ed25519CryptoProvider.Instance.IsSupportedAlgorithm("EdDSA", key));
        Assert.Equal(usable, Ed25519CryptoProvider.TryAdopt(key));
        Assert.Equal(usable, ReferenceEquals(key.CryptoProviderFactory, Ed25519CryptoProvider.Factory));
        Assert.Equal(usable, key.CryptoProviderFactory.IsSupportedAlgorithm("EdDSA", key));
    }

    [Fact]
    public void No_other_algorithm_or_key_type_and_the_process_wide_factory_never_sees_EdDSA()
    {
        var okp = Adopted(RfcX);
        foreach (var alg in new[] { "RS256", "PS256", "ES256", "HS256", "none", "eddsa", "Ed25519", "Ed448", "" })
        {
            Assert.False(Ed25519CryptoProvider.Instance.IsSupportedAlgorithm(alg, okp), alg);
            Assert.False(okp.CryptoProviderFactory.IsSupportedAlgorithm(alg, okp), $"{alg} with the OKP key's factory");
        }

        using var rsa = RSA.Create(2048);
        SecurityKey[] others = [new RsaSecurityKey(rsa), new SymmetricSecurityKey(Convert.FromBase64String(RfcX.Replace('-', '+').Replace('_', '/') + "=")), JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa))];
        foreach (var other in others)
        {
            Assert.False(Ed25519CryptoProvider.Instance.IsSupportedAlgorithm("EdDSA", other), other.GetType().Name);
            Assert.False(other.CryptoProviderFactory.IsSupportedAlgorithm("EdDSA", other), other.GetType().Name);
        }

        Assert.Null(CryptoProviderFactory.Default.CustomCryptoProvider);
        Assert.False(CryptoProviderFactory.Default.IsSupportedAlgorithm("EdDSA", Key($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{RfcX}\"}}")));
        Assert.NotSame(CryptoProviderFactory.Default, Ed25519CryptoProvider.Factory);
    }

    [Fact]
    public void Only_a_64_byte_signature_counts_and_only_the_length_given()
    {
        var signer = NewEd25519();
        var key = Adopted(Base64UrlEncoder.Encode(signer.GeneratePublicKey().GetEncoded()));
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, "EdDSA");
        var input = "header.payload";
        var message = Encoding.ASCII.GetBytes(input);
        var signature = SignEd25519(signer, input);
        Assert.True(provider.Verify(message, signature));
        Assert.False(provider.Verify(message, signature[..63]));
        Assert.False(provider.Verify(message, [.. signature, 0]));
        Assert.False(provider.Verify(message, []));

        // IdentityModel hands over a pooled buffer longer than the signature, with the length beside it.
        byte[] pooled = [7, 7, 7, .. signature, 0, 0];
        Assert.True(provider.Verify(message, 0, message.Length, pooled, 3, 64));
        Assert.False(provider.Verify(message, 0, message.Length, pooled, 3, 63));
        Assert.False(provider.Verify(message, 0, message.Length, pooled, 3, 65));
        Assert.False(provider.Verify(message, 0, message.Length, pooled, 2, 64));
        Assert.True(provider.Verify([1, .. message, 2], 1, message.Length, signature, 0, 64));
    }

    [Fact]
    public void A_signature_whose_S_is_not_reduced_is_refused()
    {
        // RFC 8032 §5.1.7: S must be below the group order L; S + L verifies the same equation and must still fail.
        var (input, signature) = Split(RfcJws);
        var l = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: false) + l;
        var malleated = (byte[])signature.Clone();
        Assert.True(s.TryWriteBytes(malleated.AsSpan(32), out var written, isUnsigned: true, isBigEndian: false) && written <= 32);
        var key = Adopted(RfcX);
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, "EdDSA");
        Assert.True(provider.Verify(input, signature));
        Assert.False(provider.Verify(input, malleated));
    }

    [Fact]
    public void It_never_signs()
    {
        var key = Adopted(RfcX);
        Assert.Throws<NotSupportedException>(() => key.CryptoProviderFactory.CreateForSigning(key, "EdDSA"));
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, "EdDSA");
        Assert.False(provider.WillCreateSignatures);
        Assert.Throws<NotSupportedException>(() => provider.Sign([1, 2, 3]));
        Assert.Throws<NotSupportedException>(() => provider.Sign([1, 2, 3], 0, 3));
        Assert.Throws<NotSupportedException>(() => provider.Sign([1, 2, 3], new byte[64], out _));
    }

    [Fact]
    public async Task A_jwks_with_RSA_and_OKP_keys_validates_EdDSA_through_IdentityModel_and_a_private_d_is_never_used()
    {
        var ed = NewEd25519();
        var stranger = NewEd25519();
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var rsaJwk = $"{{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}";
        var json = Jwks(rsaJwk, Jwk(ed, "ed-1", extra: $",\"d\":\"{Base64UrlEncoder.Encode(stranger.GetEncoded())}\""));
        Assert.Null(JwksKeys.TryParse(json, out var keys));
        Assert.Equal(["rsa-1", "ed-1"], keys!.Keys.Select(k => k.KeyId));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = "api",
            ValidAlgorithms = ["EdDSA", "RS256"],
            IssuerSigningKeys = keys.Keys,
            TryAllIssuerSigningKeys = true,
        };
        var handler = new JsonWebTokenHandler();

        var valid = await handler.ValidateTokenAsync(EdDsaToken(ed, "ed-1"), parameters);
        Assert.True(valid.IsValid, valid.Exception?.Message);
        Assert.Equal("ed-1", ((JsonWebToken)valid.SecurityToken).SigningKey.KeyId);
        Assert.Equal("alice", ((JsonWebToken)valid.SecurityToken).Subject);

        foreach (var (name, token) in new[] { ("stray d", EdDsaToken(stranger, "ed-1")), ("kid of the RSA key", EdDsaToken(stranger, "rsa-1")), ("no kid, wrong key", EdDsaToken(stranger, "")) })
        {
            Assert.False((await handler.ValidateTokenAsync(token, parameters)).IsValid, name);
        }
    }

    [Fact]
    public void A_jwks_whose_OKP_keys_are_unusable_has_no_keys()
    {
        Assert.NotNull(JwksKeys.TryParse(Jwks($"{{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA\"}}"), out _));
        Assert.NotNull(JwksKeys.TryParse(Jwks($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\",\"x\":\"{RfcX}\"}}"), out _));

        // The shape check in Alb.Core cannot decode points; the host drops an x that is no curve point.
        Assert.Equal("holds no RSA, EC or Ed25519 signing key alb can use", JwksKeys.TryParse(Jwks($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{NotAPoint}\"}}"), out var none));
        Assert.Null(none);
    }

    [Fact]
    public async Task A_key_and_a_JWT_signed_by_openssl_verify()
    {
        var dir = Directory.CreateTempSubdirectory("alb-ed25519-");
        try
        {
            string F(string name) => Path.Combine(dir.FullName, name);
            ExternalTool.Run("openssl", "genpkey", "-algorithm", "ed25519", "-out", F("key.pem"));
            ExternalTool.Run("openssl", "pkey", "-in", F("key.pem"), "-pubout", "-outform", "DER", "-out", F("pub.der"));
            var input = SigningInput("EdDSA", "openssl-1", Claims());
            await File.WriteAllTextAsync(F("input"), input);
            ExternalTool.Run("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", F("key.pem"), "-in", F("input"), "-out", F("sig"));

            var publicKey = (await File.ReadAllBytesAsync(F("pub.der")))[^32..]; // SubjectPublicKeyInfo: a 12-byte prefix, then the 32-byte key
            var signature = await File.ReadAllBytesAsync(F("sig"));
            Assert.Equal(64, signature.Length);
            var json = Jwks($"{{\"kty\":\"OKP\",\"kid\":\"openssl-1\",\"crv\":\"Ed25519\",\"x\":\"{Base64UrlEncoder.Encode(publicKey)}\"}}");
            Assert.Null(JwksKeys.TryParse(json, out var keys));
            var parameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = "api", ValidAlgorithms = ["EdDSA"], IssuerSigningKeys = keys!.Keys };
            var result = await new JsonWebTokenHandler().ValidateTokenAsync($"{input}.{Base64UrlEncoder.Encode(signature)}", parameters);
            Assert.True(result.IsValid, result.Exception?.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static JsonWebKey Key(string json) => new(json);

    private static JsonWebKey Adopted(string x)
    {
        var key = Key($"{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{x}\"}}");
        Assert.True(Ed25519CryptoProvider.TryAdopt(key));
        return key;
    }

    private static (byte[] Input, byte[] Signature) Split(string jws)
    {
        var dot = jws.LastIndexOf('.');
        return (Encoding.ASCII.GetBytes(jws[..dot]), Base64UrlEncoder.DecodeBytes(jws[(dot + 1)..]));
    }
}
