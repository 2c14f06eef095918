using System.Text.Json.Serialization;

namespace AlbOperator.Core.Model;

/// <summary>
/// <c>Alb.status</c>. Compared structurally (conditions in order), so the operator writes status only when it changed.
/// </summary>
public sealed record AlbStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; init; }

    [JsonPropertyName("readyReplicas")]
    public int ReadyReplicas { get; init; }

    /// <summary><c>Available</c>, <c>Progressing</c>, <c>Degraded</c>, always all three, in this order.</summary>
    [JsonPropertyName("conditions")]
    public IReadOnlyList<AlbCondition> Conditions { get; init; } = [];

    public bool Equals(AlbStatus? other) =>
        other is not null
        && ObservedGeneration == other.ObservedGeneration
        && ReadyReplicas == other.ReadyReplicas
        && Conditions.SequenceEqual(other.Conditions);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ObservedGeneration);
        hash.Add(ReadyReplicas);
        foreach (var condition in Conditions)
        {
            hash.Add(condition);
        }

        return hash.ToHashCode();
    }

    public AlbCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);
}

/// <summary>One condition, shaped like <c>metav1.Condition</c>.</summary>
public sealed record AlbCondition
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary><see cref="True"/>, <see cref="False"/> or <see cref="Unknown"/>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>UpperCamelCase, machine-readable.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("message")]
    public string Message { get; init; } = "";

    /// <summary>When <see cref="Status"/> last changed; whole seconds, as the API server keeps it.</summary>
    [JsonPropertyName("lastTransitionTime")]
    [JsonConverter(typeof(KubernetesTimeConverter))]
    public DateTimeOffset LastTransitionTime { get; init; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; init; }
}
