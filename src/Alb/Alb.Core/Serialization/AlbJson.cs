using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Alb.Core.Serialization;

/// <summary>
/// The one JSON shape of alb's outputs (route tables, diagnostics, explanations): camelCase, enums as text. The types
/// alb itself writes are source-generated (<see cref="AlbJsonContext"/>), so a native AOT build writes them too; other
/// types (tests) fall back to reflection where the runtime allows it.
/// </summary>
public static class AlbJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            TypeInfoResolver = AlbJsonContext.Default,
        };

        // A feature switch: false under native AOT, where the trimmer removes this branch and its reflection.
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.TypeInfoResolver = JsonTypeInfoResolver.Combine(AlbJsonContext.Default, new DefaultJsonTypeInfoResolver());
            options.Converters.Add(new JsonStringEnumConverter());
        }

        options.MakeReadOnly();
        return options;
    }
}
