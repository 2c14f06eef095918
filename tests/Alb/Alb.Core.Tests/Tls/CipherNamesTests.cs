using System.Net.Security;
using Alb.Core.Tls;
using Xunit;

namespace Alb.Core.Tests.Tls;

public sealed class CipherNamesTests
{
    [Fact]
    public void Maps_ingress_nginxs_default_list_whole()
    {
        var suites = CipherNames.Parse(CipherNames.Default, out var unknown);
        Assert.Empty(unknown);
        Assert.Equal(8, suites.Length);
        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, suites[0]);
    }

    [Fact]
    public void Reports_openssl_keywords_and_unknown_names()
    {
        var suites = CipherNames.Parse("HIGH:!aNULL:ECDHE-RSA-AES256-GCM-SHA384:RC4-MD5", out var unknown);
        Assert.Equal([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384], suites);
        Assert.Equal(["HIGH", "!aNULL", "RC4-MD5"], unknown);
    }
}
