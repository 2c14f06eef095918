using System.Text;
using Alb.Auth;
using Alb.Core.Auth;
using Alb.Core.Policies;
using Alb.Core.Routing;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Alb.Benchmarks;

/// <summary>
/// What the access step adds to a request on a cache hit: a basic-auth check with verified credentials (the
/// credential cache's HMAC), and the parse alone. Compare with the proxy's per-request cost (benchmarks/run.sh load).
/// </summary>
[MemoryDiagnoser]
public class AccessCheckBenchmarks
{
    private BasicAuthCheck _check = null!;
    private DefaultHttpContext _context = null!;
    private string _header = null!;

    [GlobalSetup]
    public void Setup()
    {
        const string hash = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="; // "password"
        _check = new BasicAuthCheck(new BasicAuthPolicy("bench", "bench/htpasswd", new[] { new BasicAuthUser("bench", hash) }.ToEquatableArray()), new PasswordVerifier(TimeProvider.System));
        _header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bench:password"));
        _context = new DefaultHttpContext();
        _context.Request.Headers.Authorization = _header;
        if (!_check.CheckAsync(_context).AsTask().Result.Allowed || !PasswordHash.TryParse(hash, out _, out _))
        {
            throw new InvalidOperationException("the benchmark's credentials do not verify");
        }
    }

    [Benchmark]
    public bool VerifiedCredentials() => _check.CheckAsync(_context).AsTask().Result.Allowed;

    [Benchmark]
    public bool ParseOnly() => BasicAuthCheck.TryReadCredentials(_header, out _, out _);
}

/// <summary>
/// A JWT check: the first validation of a token (RS256 signature, claims; EdDSA with an Ed25519 key, verified by
/// BouncyCastle inside IdentityModel) and a repeated token (the verified-token cache).
/// </summary>
[MemoryDiagnoser]
public class JwtCheckBenchmarks
{
    private JwtCheck _check = null!;
    private DefaultHttpContext _context = null!;
    private string _token = null!;
    private System.Security.Cryptography.RSA _rsa = null!;
    private string _edJwks = null!;
    private DefaultHttpContext _edContext = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = new Microsoft.IdentityModel.Tokens.RsaSecurityKey(_rsa) { KeyId = "bench" };
        var parameters = _rsa.ExportParameters(false);
        var jwks = $$"""{"keys":[{"kty":"RSA","kid":"bench","use":"sig","alg":"RS256","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""";
        var policy = new JwtPolicy("https://issuer.bench/") { Audiences = new[] { "bench" }.ToEquatableArray(), JwksJson = jwks };
        _check = new JwtCheck(policy, null);
        _token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "https://issuer.bench/",
            Audience = "bench",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "bench-user" },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(key, "RS256"),
        });
        _context = new DefaultHttpContext();
        _context.Request.Headers.Authorization = "Bearer " + _token;
        if (!_check.CheckAsync(_context).AsTask().Result.Allowed)
        {
            throw new InvalidOperationException("the benchmark's token does not verify");
        }

        var ed = new Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom());
        _edJwks = $$"""{"keys":[{"kty":"OKP","kid":"bench-ed","crv":"Ed25519","x":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(ed.GeneratePublicKey().GetEncoded())}}"}]}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var input = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"EdDSA","typ":"JWT","kid":"bench-ed"}""") + "." +
            Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode($$"""{"iss":"https://issuer.bench/","aud":"bench","sub":"bench-user","exp":{{now + 3600}}}""");
        var message = Encoding.ASCII.GetBytes(input);
        var signature = new byte[64];
        ed.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0);
        _edContext = new DefaultHttpContext();
        _edContext.Request.Headers.Authorization = $"Bearer {input}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(signature)}";
        if (!FreshCheckEdDsa())
        {
            throw new InvalidOperationException("the benchmark's EdDSA token does not verify");
        }
    }

    [Benchmark]
    public bool RepeatedToken() => _check.CheckAsync(_context).AsTask().Result.Allowed;

    [Benchmark]
    public bool FreshCheck() => new JwtCheck(new JwtPolicy("https://issuer.bench/") { Audiences = new[] { "bench" }.ToEquatableArray() } with { JwksJson = Jwks() }, null).CheckAsync(_context).AsTask().Result.Allowed;

    /// <summary>As <see cref="FreshCheck"/> with an Ed25519 key and an EdDSA token (the JWKS parse, the point decoding and one verification).</summary>
    [Benchmark]
    public bool FreshCheckEdDsa() => new JwtCheck(new JwtPolicy("https://issuer.bench/") { Audiences = new[] { "bench" }.ToEquatableArray(), Algorithms = new[] { "EdDSA" }.ToEquatableArray(), JwksJson = _edJwks }, null).CheckAsync(_edContext).AsTask().Result.Allowed;

    private string Jwks()
    {
        var parameters = _rsa.ExportParameters(false);
        return $$"""{"keys":[{"kty":"RSA","kid":"bench","use":"sig","alg":"RS256","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""";
    }
}

/// <summary>Why the caches keep an HMAC context per thread: one-shot HMAC against a reused context, same input.</summary>
public class HmacBenchmarks
{
    private readonly byte[] _key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _input = Encoding.UTF8.GetBytes("$2y$05$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234\0correct horse battery staple");
    private readonly byte[] _mac = new byte[32];
    private System.Security.Cryptography.IncrementalHash _reused = null!;

    [GlobalSetup]
    public void Setup() => _reused = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, _key);

    [Benchmark(Baseline = true)]
    public int OneShot() => System.Security.Cryptography.HMACSHA256.HashData(_key, _input, _mac);

    [Benchmark]
    public int Reused()
    {
        _reused.AppendData(_input);
        return _reused.GetHashAndReset(_mac);
    }
}
