using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlbOperator.Core.Model;

/// <summary><c>metav1.Time</c>: RFC 3339 in UTC with whole seconds (<c>2026-01-02T03:04:05Z</c>).</summary>
public sealed class KubernetesTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? Truncate(value)
            : throw new JsonException($"\"{text}\" is not an RFC 3339 time");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Truncate(value).ToString(Format, CultureInfo.InvariantCulture));

    /// <summary>UTC, fractions of a second dropped: what survives a round trip through the API server.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
