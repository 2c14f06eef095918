using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Alb.Core.Tls;

/// <summary>
/// A distinguished name as RFC 2253 text, the way nginx's <c>$ssl_client_s_dn</c> prints it (OpenSSL's
/// <c>XN_FLAG_RFC2253</c> without escaping UTF-8): most specific first, <c>,</c> between RDNs, <c>+</c> inside one,
/// short names for the usual attributes, <c>OID=#hex</c> for the rest.
/// </summary>
public static class DistinguishedNames
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "street",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.5"] = "serialNumber",
        ["2.5.4.4"] = "SN",
        ["2.5.4.42"] = "GN",
        ["2.5.4.12"] = "title",
        ["2.5.4.46"] = "dnQualifier",
        ["2.5.4.65"] = "pseudonym",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        ["1.2.840.113549.1.9.1"] = "emailAddress",
    };

    public static string Rfc2253(X500DistinguishedName name)
    {
        var builder = new StringBuilder(name.RawData.Length);
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            if (!rdn.HasMultipleElements)
            {
                Append(builder, rdn.GetSingleElementType().Value ?? "", rdn.GetSingleElementValue(), rdn.RawData.Span);
                continue;
            }

            // A multi-valued RDN: print its raw value, which stays exact for the rare certificates that have one.
            builder.Append('#').Append(Convert.ToHexString(rdn.RawData.Span));
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string oid, string? value, ReadOnlySpan<byte> raw)
    {
        if (value is null || !ShortNames.TryGetValue(oid, out var shortName))
        {
            builder.Append(oid).Append("=#").Append(Convert.ToHexString(raw));
            return;
        }

        builder.Append(shortName).Append('=');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                builder.Append('\\').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
    }
}
