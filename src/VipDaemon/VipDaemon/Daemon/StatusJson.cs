using System.Text.Json;
using System.Text.Json.Serialization;

namespace VipDaemon.Daemon;

/// <summary>/status as JSON (web defaults, states by name), generated at compile time so the Native AOT build needs no
/// reflection: what the daemon writes and <c>vipd status</c> reads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<InstanceStatus>))]
internal sealed partial class StatusJson : JsonSerializerContext;
