using System.Text.Json;
using Alb.Core.Routing;

namespace Alb.Core.Auth;

/// <summary>
/// The shape check of a JSON Web Key Set (RFC 7517) before the host hands it to the JWT library: a bounded JSON
/// object with a <c>keys</c> array holding at least one RSA, EC or OKP Ed25519 (RFC 8037) signing key. Symmetric
/// (<c>oct</c>) keys are never used (no HMAC at the ingress), nor OKP keys of another curve (Ed448, X25519, X448), nor
/// keys marked <c>use: enc</c>. Only shapes are checked here; the host decodes the keys (an Ed25519 <c>x</c> that is no
/// curve point is dropped there).
/// </summary>
public static class JwksDocument
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxKeys = 100;
    private static readonly string[] Curves = ["P-256", "P-384", "P-521"];

    /// <summary>Null when usable (with the usable keys' kids and what was dropped); otherwise why not.</summary>
    public static string? TryRead(string json, out EquatableArray<string> keyIds, out List<string> dropped)
    {
        keyIds = [];
        dropped = [];
        if (json.Length > MaxBytes)
        {
            return $"is larger than {MaxBytes / 1024} KiB";
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return "is not JSON";
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                return "is not a JWKS (an object with a \"keys\" array)";
            }

            var kids = new List<string>();
            var index = 0;
            foreach (var key in keys.EnumerateArray().Take(MaxKeys))
            {
                var kid = Text(key, "kid");
                var name = kid is null ? $"key {index}" : $"key \"{AnnotationTextShort(kid)}\"";
                index++;
                if (Unusable(key) is { } reason)
                {
                    dropped.Add($"{name} {reason}; not used");
                    continue;
                }

                kids.Add(kid ?? "(no kid)");
            }

            if (kids.Count == 0)
            {
                return "holds no RSA, EC or Ed25519 signing key" + (dropped.Count > 0 ? $" ({string.Join("; ", dropped)})" : "");
            }

            keyIds = kids.ToEquatableArray();
            return null;
        }
    }

    /// <summary>Why a key cannot verify a JWS alb accepts; null when it can.</summary>
    public static string? Unusable(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object)
        {
            return "is not an object";
        }

        if (Text(key, "use") is { } use && use != "sig")
        {
            return $"is for use \"{AnnotationTextShort(use)}\", not sig";
        }

        return Text(key, "kty") switch
        {
            "RSA" => Text(key, "n") is { Length: > 0 } && Text(key, "e") is { Length: > 0 } ? null : "is an RSA key without n and e",
            "EC" => Curves.Contains(Text(key, "crv")) && Text(key, "x") is { Length: > 0 } && Text(key, "y") is { Length: > 0 } ? null : "is an EC key without a P-256/384/521 crv, x and y",
            "oct" => "is a symmetric key (kty oct): HMAC is never accepted",
            "OKP" => Text(key, "crv") is not "Ed25519" ? $"is an OKP key of curve \"{AnnotationTextShort(Text(key, "crv") ?? "")}\"; only Ed25519 is supported"
                : IsEd25519PublicKey(Text(key, "x")) ? null : "is an Ed25519 key whose x is not 32 bytes of base64url",
            { } other => $"has kty \"{AnnotationTextShort(other)}\", not RSA, EC or OKP",
            null => "has no kty",
        };
    }

    /// <summary>RFC 8037 §2: x is the 32-byte public key, base64url without padding (43 characters).</summary>
    private static bool IsEd25519PublicKey(string? x) =>
        x is { Length: 43 } && x.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string AnnotationTextShort(string value) => Annotations.AnnotationText.Shown(value.Length > 64 ? value[..64] : value);
}
