using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Alb.Core.Tls;

/// <summary>
/// An X.509 certificate revocation list (RFC 5280 §5) read over its DER: the issuer, the update times, the revoked
/// serial numbers and what its signature covers. .NET's <c>X509Chain</c> takes no CRL from the caller, so alb checks
/// revocation itself with this. <see cref="TryParse"/> never throws; <see cref="IsSignedBy"/> checks the signature.
/// </summary>
public sealed class RevocationList
{
    private readonly HashSet<BigInteger> _revoked;
    private readonly byte[] _signed;
    private readonly byte[] _signature;
    private readonly string _algorithm;

    private RevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked, byte[] signed, string algorithm, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
        _signed = signed;
        _algorithm = algorithm;
        _signature = signature;
    }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public int Count => _revoked.Count;

    /// <summary>Whether <paramref name="certificate"/>'s serial number is listed (the caller checks the issuer).</summary>
    public bool Lists(X509Certificate2 certificate) =>
        _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));

    /// <summary>Whether <paramref name="issuer"/>'s key signed this list (RSA PKCS#1 v1.5 or ECDSA with SHA-1/256/384/512).</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        var hash = _algorithm switch
        {
            "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
            "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return false;
        }

        try
        {
            if (_algorithm.StartsWith("1.2.840.113549", StringComparison.Ordinal))
            {
                using var rsa = issuer.GetRSAPublicKey();
                return rsa is not null && rsa.VerifyData(_signed, _signature, hash, RSASignaturePadding.Pkcs1);
            }

            using var ecdsa = issuer.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(_signed, _signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Every PEM block of <paramref name="pem"/>: the first must be an <c>X509 CRL</c> (as ingress-nginx checks), each one must parse.</summary>
    public static bool TryParseAll(string pem, out List<RevocationList> lists, out string? error)
    {
        lists = [];
        error = null;
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var data = rest[fields.Base64Data];
            rest = rest[fields.Location.End..];
            if (label != "X509 CRL")
            {
                if (lists.Count == 0)
                {
                    error = $"the first PEM block is \"{label}\", not \"X509 CRL\"";
                    return false;
                }

                continue;
            }

            var der = new byte[data.Length];
            if (!Convert.TryFromBase64Chars(data, der, out var length) || !TryParse(der.AsSpan(0, length).ToArray(), out var list))
            {
                error = $"CRL {lists.Count + 1} does not parse";
                return false;
            }

            lists.Add(list!);
        }

        if (lists.Count == 0)
        {
            error = "holds no PEM \"X509 CRL\" block";
            return false;
        }

        return true;
    }

    public static bool TryParse(byte[] der, out RevocationList? list)
    {
        list = null;
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var certList = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var signed = certList.PeekEncodedValue().ToArray();
            var tbs = certList.ReadSequence();
            var algorithm = certList.ReadSequence().ReadObjectIdentifier();
            var signature = certList.ReadBitString(out _);
            certList.ThrowIfNotEmpty();

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence(); // signature algorithm, repeated
            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            list = new RevocationList(issuer, thisUpdate, nextUpdate, revoked, signed, algorithm, signature);
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
