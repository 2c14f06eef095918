namespace Edge.Testing.KubeApi;

/// <summary>
/// One served resource: what discovery lists and what the store keys by. Objects are stored per group and plural
/// (like a real API server's storage), so every served version of a custom resource sees the same objects.
/// </summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    bool HasStatus,
    bool IsCustom = false)
{
    /// <summary><c>v1</c> for the core group, else <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The resource as messages name it: <c>services</c>, <c>ingresses.networking.k8s.io</c>.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The kind as Invalid messages name it: <c>Service</c>, <c>Ingress.networking.k8s.io</c>.</summary>
    public string GroupKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public string ListKind => Kind + "List";

    /// <summary>The URL prefix of this group/version: <c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public string PathPrefix => Group.Length == 0 ? "/api/" + Version : $"/apis/{Group}/{Version}";
}
