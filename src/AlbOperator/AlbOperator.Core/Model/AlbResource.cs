using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Model;

/// <summary>
/// An <c>Alb</c> object (<c>edge.io/v1alpha1</c>) as the API server stores it. The JSON names are set on every member,
/// so it reads and writes the same with <see cref="AlbJson"/> and with KubernetesClient's own serializer.
/// </summary>
public sealed class AlbResource : IKubernetesObject<V1ObjectMeta>, ISpec<AlbSpec?>, IStatus<AlbStatus?>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AlbApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = AlbApi.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public AlbSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public AlbStatus? Status { get; set; }

    /// <summary><c>NAMESPACE/NAME</c>, for messages.</summary>
    public override string ToString() => $"{Metadata.NamespaceProperty}/{Metadata.Name}";
}
