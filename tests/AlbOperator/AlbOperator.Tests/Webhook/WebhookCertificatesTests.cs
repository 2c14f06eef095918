using System.Security.Cryptography.X509Certificates;
using AlbOperator.Webhook;

namespace AlbOperator.Tests.Webhook;

public class WebhookCertificatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issues_a_ca_and_a_serving_certificate_for_the_service_names_that_chains_to_it()
    {
        var files = WebhookCertificates.Issue(null, "edge-system", Now);

        Assert.Equal(CertificateAction.Keep, WebhookCertificates.Check(files, "edge-system", Now));
        using var ca = X509Certificate2.CreateFromPem(files.CaPem);
        using var cert = WebhookCertificates.Load(files);
        Assert.True(cert.HasPrivateKey);
        Assert.Equal(
            ["alb-operator-webhook.edge-system.svc", "alb-operator-webhook.edge-system.svc.cluster.local", "alb-operator-webhook.edge-system", "alb-operator-webhook"],
            cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Contains(cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(Now.AddDays(365).UtcDateTime, cert.NotAfter.ToUniversalTime());

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        Assert.True(chain.Build(cert));
    }

    [Fact]
    public void A_serving_certificate_near_its_end_or_for_another_namespace_is_issued_again_from_the_same_ca()
    {
        var files = WebhookCertificates.Issue(null, "edge-system", Now);

        Assert.Equal(CertificateAction.Keep, WebhookCertificates.Check(files, "edge-system", Now.AddDays(334)));
        Assert.Equal(CertificateAction.NewServing, WebhookCertificates.Check(files, "edge-system", Now.AddDays(336)));
        Assert.Equal(CertificateAction.NewServing, WebhookCertificates.Check(files, "other", Now));

        var renewed = WebhookCertificates.Issue(files, "edge-system", Now.AddDays(336));
        Assert.Equal(files.CaPem, renewed.CaPem); // the CA bundle the API server trusts stays the same
        Assert.NotEqual(files.CertPem, renewed.CertPem);
        Assert.Equal(CertificateAction.Keep, WebhookCertificates.Check(renewed, "edge-system", Now.AddDays(336)));
    }

    [Fact]
    public void A_missing_or_unreadable_secret_or_a_ca_near_its_end_gets_a_new_ca()
    {
        var files = WebhookCertificates.Issue(null, "edge-system", Now);
        var other = WebhookCertificates.Issue(null, "edge-system", Now);

        Assert.Equal(CertificateAction.NewAll, WebhookCertificates.Check(null, "edge-system", Now));
        Assert.Equal(CertificateAction.NewAll, WebhookCertificates.Check(files with { CaPem = "garbage" }, "edge-system", Now));
        Assert.Equal(CertificateAction.NewAll, WebhookCertificates.Check(files, "edge-system", Now.AddDays(3640)));
        Assert.Equal(CertificateAction.NewServing, WebhookCertificates.Check(files with { CertPem = other.CertPem, KeyPem = other.KeyPem }, "edge-system", Now));
    }
}
