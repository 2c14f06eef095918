using System.Net;
using k8s.Models;

namespace Edge.Kubernetes;

/// <summary>An API server answer other than success: the HTTP status and, when the server sent one, its Status body.</summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KubeApiException(int code, V1Status? status, string what)
        : base($"{what}: {code} {status?.Reason} {status?.Message}".TrimEnd())
    {
        Code = code;
        Status = status;
    }

    public int Code { get; }

    public V1Status? Status { get; }

    /// <summary>410: the resource version is too old (compacted); the caller must list again.</summary>
    public bool IsGone => Code == (int)HttpStatusCode.Gone;

    public bool IsConflict => Code == (int)HttpStatusCode.Conflict;

    public bool IsNotFound => Code == (int)HttpStatusCode.NotFound;
}
