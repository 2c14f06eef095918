using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alb.Core.Annotations.Families;
using Alb.Core.Tls;
using Xunit;

namespace Alb.Core.Tests.Tls;

/// <summary>The pure parts of client certificates: the CRL reader, RFC 2253 subject text, the match-cn rule.</summary>
public sealed class ClientCertificateTests
{
    [Fact]
    public void Reads_a_crl_its_entries_times_and_signature()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=CA,O=Acme Co", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = new CertificateRequest("CN=CA,O=Acme Co", otherKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));

        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry([0x10, 0x01]);
        builder.AddEntry([0x7f]);
        var next = DateTimeOffset.UtcNow.AddDays(7);
        var pem = PemEncoding.WriteString("X509 CRL", builder.Build(ca, BigInteger.One, next, HashAlgorithmName.SHA256));

        Assert.True(RevocationList.TryParseAll(pem, out var lists, out var error), error);
        var crl = Assert.Single(lists);
        Assert.Equal(2, crl.Count);
        Assert.Equal(ca.SubjectName.RawData, crl.Issuer.RawData);
        Assert.Equal(next.ToUnixTimeSeconds(), crl.NextUpdate!.Value.ToUnixTimeSeconds());
        Assert.True(crl.IsSignedBy(ca));
        Assert.False(crl.IsSignedBy(other));
    }

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")]
    [InlineData("no pem here")]
    [InlineData("")]
    public void Refuses_what_is_not_a_crl(string pem) =>
        Assert.False(RevocationList.TryParseAll(pem, out _, out _));

    [Theory]
    [InlineData("CN=client,O=Acme Co", "CN=client,O=Acme Co")]
    [InlineData("CN=\"a, b+c\", OU=x", "CN=a\\, b\\+c,OU=x")]
    [InlineData("CN=\"#tag \", C=DE", "CN=\\#tag\\ ,C=DE")]
    public void Prints_subjects_as_rfc2253(string encoded, string expected)
    {
        // .NET's default (Reversed) takes the text most specific first, as a certificate tool prints it.
        var name = new X500DistinguishedName(encoded);
        Assert.Equal(expected, DistinguishedNames.Rfc2253(name));
    }

    [Theory]
    [InlineData("CN=authtls", true)]
    [InlineData("CN=(a|b)+", true)]
    [InlineData("O=Acme", false)]
    [InlineData("cn=lower", false)]
    [InlineData("CN=(", false)]
    [InlineData("CN=(?<=x)y", false)]
    public void Match_cn_starts_with_CN_and_runs_in_linear_time(string value, bool valid) =>
        Assert.Equal(valid, ClientCertAnnotations.IsMatchCn(value, out _));
}
