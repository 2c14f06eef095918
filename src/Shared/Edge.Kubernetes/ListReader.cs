using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Edge.Kubernetes;

/// <summary>Reads one page of a Kubernetes list answer (<see cref="KubeApi.ListAsync{T}"/>).</summary>
internal static class ListReader
{
    /// <summary>
    /// A list read in one pass over its UTF-8 bytes: the envelope by hand, each item by the model's own type
    /// information as the reader reaches it (no <see cref="JsonDocument"/> of the page first, no UTF-16 copy of it).
    /// No generic envelope type, so nothing here needs reflection (native AOT), whatever <typeparamref name="T"/> is.
    /// </summary>
    public static ListPage<T> Read<T>(ReadOnlySpan<byte> json)
    {
        var info = (JsonTypeInfo<T>)ModelOptions.GetTypeInfo(typeof(T));
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a list answer is not a JSON object");
        }

        V1ListMeta? metadata = null;
        var items = new List<T>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isItems = reader.ValueTextEquals("items"u8);
            var isMetadata = !isItems && reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (isItems && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(KubeApi.WithoutManagedFields(JsonSerializer.Deserialize(ref reader, info)!));
                }
            }
            else if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                metadata = JsonSerializer.Deserialize(ref reader, ListMetaInfo);
            }
            else
            {
                reader.Skip();
            }
        }

        return new ListPage<T>(items, metadata?.ResourceVersion ?? "", string.IsNullOrEmpty(metadata?.ContinueProperty) ? null : metadata.ContinueProperty);
    }

    /// <summary>
    /// The continue token of a page whose list metadata comes before its items (as the API server writes it: kind,
    /// apiVersion, metadata, items), read without reading the items; false when the items come first or the envelope
    /// is not a JSON object (<see cref="Read{T}"/> then reads the token, and reports what is wrong).
    /// </summary>
    public static bool TryReadContinue(ReadOnlySpan<byte> json, out string? continueToken)
    {
        continueToken = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("items"u8))
                {
                    return false;
                }

                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
                {
                    var metadata = JsonSerializer.Deserialize(ref reader, ListMetaInfo);
                    continueToken = string.IsNullOrEmpty(metadata?.ContinueProperty) ? null : metadata.ContinueProperty;
                    return true;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A page cut short or malformed: Read says so.
        }

        return false;
    }

    /// <summary>KubernetesClient's serializer options (its converters and source-generated models), as it reads them itself.</summary>
    private static readonly JsonSerializerOptions ModelOptions = CaptureModelOptions();

    private static readonly JsonTypeInfo<V1ListMeta> ListMetaInfo = (JsonTypeInfo<V1ListMeta>)ModelOptions.GetTypeInfo(typeof(V1ListMeta));

    private static JsonSerializerOptions CaptureModelOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    }
}
