using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AlbOperator.Cluster;

/// <summary>
/// Any object, kept as the API server sent it: typed metadata, every other member as JSON. One informer and one
/// apply path serve every kind the operator owns; <see cref="As{T}"/> reads a typed view when one is needed.
/// </summary>
internal sealed class KubeObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Rest { get; set; }

    public static KubeObject From(object value) => KubernetesJson.Deserialize<KubeObject>(KubernetesJson.Serialize(value));

    public T As<T>() => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(this));

    public override string ToString() => $"{Kind} {Metadata.NamespaceProperty}/{Metadata.Name}";
}
