using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlbOperator.Core.Model;

/// <summary>The JSON shape of <see cref="AlbResource"/>: camelCase, absent members omitted.</summary>
public static class AlbJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads an Alb; a document that is not one gives the reason instead of throwing.</summary>
    public static bool TryDeserialize(string json, out AlbResource? alb, out string? error)
    {
        try
        {
            alb = JsonSerializer.Deserialize<AlbResource>(json, Options);
            error = alb is null ? "the document is null" : null;
            return alb is not null;
        }
        catch (JsonException e)
        {
            alb = null;
            error = e.Path is null ? e.Message : $"{e.Path.TrimStart('$', '.')}: {e.Message}";
            return false;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            // KubernetesClient's own converters (resource quantities) throw these for bad values.
            alb = null;
            error = $"not an Alb: {e.Message}";
            return false;
        }
    }
}
