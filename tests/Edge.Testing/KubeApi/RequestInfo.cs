namespace Edge.Testing.KubeApi;

/// <summary>
/// One request as the server understood it: HTTP method, path and query, the Kubernetes verb (get, list, watch, create,
/// update, patch, delete, deletecollection; "discovery" or "other" for the rest), and the resource it named.
/// </summary>
public sealed class RequestInfo
{
    public long Sequence { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>The raw query string, with its leading '?', or empty.</summary>
    public string Query { get; init; } = "";

    public string Verb { get; init; } = "other";

    public string? Group { get; init; }

    public string? Version { get; init; }

    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? Subresource { get; init; }

    public string? ContentType { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The bearer token the client sent (<c>Authorization: Bearer ...</c>), if any.</summary>
    public string? BearerToken { get; init; }

    /// <summary>The response status once it started (0 before; a watch's 200 is set when its stream opens).</summary>
    public int StatusCode { get; internal set; }

    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode}";
}
