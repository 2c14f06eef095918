using System.Text.Json.Serialization;

namespace EtcdBackup.Cli;

/// <summary>One target in <c>list --output json</c>.</summary>
internal sealed record ListedTarget(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("snapshots")] List<ListedSnapshot> Snapshots,
    [property: JsonPropertyName("deltas")] List<ListedDelta> Deltas);

/// <summary>One delta in <c>list --output json</c>.</summary>
internal sealed record ListedDelta(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("problem")] string Problem,
    [property: JsonPropertyName("base")] string? Base,
    [property: JsonPropertyName("fromRevision")] long? FromRevision,
    [property: JsonPropertyName("toRevision")] long? ToRevision,
    [property: JsonPropertyName("events")] long? Events,
    [property: JsonPropertyName("size")] long Size);

/// <summary>One snapshot in <c>list --output json</c>.</summary>
internal sealed record ListedSnapshot(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("problem")] string Problem,
    [property: JsonPropertyName("revision")] long? Revision,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("dbSize")] long? DbSize,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("compression")] string? Compression,
    [property: JsonPropertyName("encryption")] string? Encryption);

/// <summary>Source-generated, so the listing serializes without reflection (etcd-backup is published ahead of time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<ListedTarget>))]
internal sealed partial class ListingJson : JsonSerializerContext;
