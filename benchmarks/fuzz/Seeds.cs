using Alb.Core.Annotations;
using Alb.Core.Manifests;

namespace Alb.Fuzz;

/// <summary>
/// The seed corpus: every Ingress of the golden translation specs (tests/.../testassets/translation/*/input.yaml)
/// as one input (its annotations, first host and first path), each of their annotations alone, and a few values for
/// the keys those specs do not use.
/// </summary>
public static class Seeds
{
    private static readonly (string Name, string Value)[] Extra =
    [
        ("cors-allow-headers", "X-Custom, Content-Type"),
        ("cors-expose-headers", "X-Total-Count,*"),
        ("cors-allow-credentials", "false"),
        ("cors-allow-origin", "http://localhost:3000, https://*.example.org"),
        ("limit-rpm", "600"),
        ("limit-whitelist", "192.168.0.0/16, ::1, 2001:db8::/32"),
        ("allowlist-source-range", "10.0.0.0/8,fd00::/8"),
        ("proxy-send-timeout", "30"),
        ("proxy-next-upstream-tries", "0"),
        ("proxy-body-size", "0"),
        ("permanent-redirect-code", "308"),
        ("preserve-trailing-slash", "true"),
        ("rewrite-target", "/$1/$2"),
        ("use-regex", "True"),
        ("upstream-vhost", "backend.internal:8443"),
        ("server-alias", "alias.example.com"),
        ("auth-url", "http://auth.svc/verify"),
        ("affinity", "cookie"),
    ];

    public static List<byte[]> FromTestAssets(string translationDir)
    {
        var seeds = new List<byte[]>();
        foreach (var dir in Directory.GetDirectories(translationDir).Order(StringComparer.Ordinal))
        {
            var yaml = Path.Combine(dir, "input.yaml");
            if (!File.Exists(yaml))
            {
                continue;
            }

            var (snapshot, _) = SnapshotBuilder.Build([ManifestParser.Parse(yaml, File.ReadAllText(yaml))]);
            foreach (var ingress in snapshot.Ingresses)
            {
                var records = new List<(int, string)>();
                foreach (var (key, value) in ingress.Metadata?.Annotations ?? new Dictionary<string, string>())
                {
                    var slot = FuzzInput.SlotOf(key);
                    if (slot >= 0)
                    {
                        records.Add((slot, value));
                        seeds.Add(FuzzInput.Encode([(slot, value)]));
                    }
                    else if (key.StartsWith(AnnotationCatalog.Prefix, StringComparison.Ordinal))
                    {
                        records.Add((FuzzInput.UnknownKeySlot, key[AnnotationCatalog.Prefix.Length..]));
                    }
                }

                var rule = ingress.Spec?.Rules?.FirstOrDefault();
                if (rule?.Host is { } host)
                {
                    records.Add((FuzzInput.HostSlot, host));
                }

                if (rule?.Http?.Paths?.FirstOrDefault()?.Path is { } path)
                {
                    records.Add((FuzzInput.PathSlot, path));
                }

                if (records.Count > 0)
                {
                    seeds.Add(FuzzInput.Encode(records));
                }
            }
        }

        foreach (var (name, value) in Extra)
        {
            var slot = FuzzInput.SlotOf(AnnotationCatalog.Prefix + name);
            if (slot >= 0)
            {
                seeds.Add(FuzzInput.Encode([(slot, value)]));
            }
        }

        // Distinct by content, in a stable order.
        return seeds.DistinctBy(Convert.ToBase64String).ToList();
    }
}
