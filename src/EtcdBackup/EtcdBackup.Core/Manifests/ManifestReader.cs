using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EtcdBackup.Core.Manifests;

/// <summary>Reads a manifest of any kind: JSON through its source-generated type, then its own checks; a reason, never an exception.</summary>
internal static class ManifestReader
{
    /// <param name="check">The first problem of a parsed manifest, or "" when there is none.</param>
    public static bool TryRead<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, string what, Func<T, string> check, out T? manifest, out string error)
        where T : class
    {
        manifest = null;
        try
        {
            manifest = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            error = $"not a {what}: {e.Message}";
            return false;
        }

        error = manifest is null ? "empty manifest" : check(manifest);
        if (error.Length > 0)
        {
            manifest = null;
        }

        return manifest is not null;
    }
}
