using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// What the server serves: the built-ins plus every version of every CustomResourceDefinition stored, registered the
/// moment the CRD is written and dropped when it is deleted. Thread-safe; readers see a consistent list.
/// </summary>
internal sealed class ResourceCatalog
{
    private readonly Lock _gate = new();
    private IReadOnlyList<ResourceType> _types = BuiltInResources.All;

    public IReadOnlyList<ResourceType> Types
    {
        get
        {
            lock (_gate)
            {
                return _types;
            }
        }
    }

    public static ResourceType Crds { get; } = BuiltInResources.All.Single(t => t.Plural == "customresourcedefinitions");

    public static ResourceType Namespaces { get; } = BuiltInResources.All.Single(t => t.Plural == "namespaces");

    public ResourceType? Find(string group, string version, string plural) =>
        Types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public ResourceType? FindKind(string apiVersion, string kind) =>
        Types.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    /// <summary>Every served version of one group and plural (a custom resource may have several).</summary>
    public IReadOnlyList<ResourceType> Versions(string group, string plural) =>
        Types.Where(t => t.Group == group && t.Plural == plural).ToList();

    /// <summary>The API groups (core excluded), each with its versions in preference order.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        Types.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct().OrderBy(VersionPriority).ToList()))
            .ToList();

    /// <summary>Registers (or re-registers) the versions a CRD object serves; returns what it registered.</summary>
    public IReadOnlyList<ResourceType> Register(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw new InvalidOperationException("CRD without spec");
        var group = (string?)spec["group"] ?? "";
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var plural = (string?)names["plural"] ?? "";
        var kind = (string?)names["kind"] ?? "";
        var singular = (string?)names["singular"] ?? kind.ToLowerInvariant();
        var shortNames = (names["shortNames"] as JsonArray)?.Select(n => (string?)n ?? "").ToArray() ?? [];
        var namespaced = (string?)spec["scope"] != "Cluster";
        var added = new List<ResourceType>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((bool?)version["served"] == false)
            {
                continue;
            }

            var hasStatus = version["subresources"]?["status"] is not null;
            added.Add(new ResourceType(group, (string?)version["name"] ?? "v1", plural, singular, kind, namespaced, shortNames, hasStatus, IsCustom: true));
        }

        lock (_gate)
        {
            _types = [.. _types.Where(t => !(t.IsCustom && t.Group == group && t.Plural == plural)), .. added];
        }

        return added;
    }

    public void Unregister(string group, string plural)
    {
        lock (_gate)
        {
            _types = [.. _types.Where(t => !(t.IsCustom && t.Group == group && t.Plural == plural))];
        }
    }

    /// <summary>Kubernetes version order: GA before beta before alpha, higher numbers first (v2 &lt; v1 &lt; v1beta1 in sort keys).</summary>
    private static (int, int, int, string) VersionPriority(string version)
    {
        var m = System.Text.RegularExpressions.Regex.Match(version, "^v([0-9]+)(?:(alpha|beta)([0-9]+))?$");
        if (!m.Success)
        {
            return (3, 0, 0, version);
        }

        var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var stage = m.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = m.Groups[3].Success && m.Groups[3].Length > 0 ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stage, -major, -minor, version);
    }
}
