using System.Text.Json;
using System.Text.Json.Serialization;

namespace VipDaemon.Daemon;

internal static class StatusJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
