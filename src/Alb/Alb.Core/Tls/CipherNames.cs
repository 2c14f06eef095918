using System.Net.Security;

namespace Alb.Core.Tls;

/// <summary>
/// <c>ssl-ciphers</c>: OpenSSL's names (what ingress-nginx and nginx take) for the TLS 1.2 suites alb can offer,
/// mapped to .NET's IANA names. TLS 1.3 suites are not governed by this key (as with nginx's ssl_ciphers) and are
/// always offered.
/// </summary>
public static class CipherNames
{
    /// <summary>ingress-nginx's default ssl-ciphers.</summary>
    public const string Default = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256";

    public static readonly TlsCipherSuite[] Tls13 = [TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    private static readonly Dictionary<string, TlsCipherSuite> Known = new(StringComparer.Ordinal)
    {
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["DHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        ["DHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        ["DHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-ECDSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-ECDSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-RSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    };

    /// <summary>The suites of a colon list in its order; <paramref name="unknown"/> collects the names alb does not offer (OpenSSL keywords included).</summary>
    public static TlsCipherSuite[] Parse(string list, out List<string> unknown)
    {
        unknown = [];
        var suites = new List<TlsCipherSuite>();
        foreach (var name in list.Split(':', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Known.TryGetValue(name, out var suite))
            {
                if (!suites.Contains(suite))
                {
                    suites.Add(suite);
                }
            }
            else
            {
                unknown.Add(name);
            }
        }

        return [.. suites];
    }
}
