using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>A request that ends in a Status body (404, 409, 410, 422, ...); thrown by the handlers, written by the router.</summary>
internal sealed class ApiError : Exception
{
    public ApiError(JsonObject status)
        : base((string?)status["message"] ?? (string?)status["reason"])
    {
        Status = status;
        Code = (int?)status["code"] ?? 500;
    }

    public JsonObject Status { get; }

    public int Code { get; }

    /// <summary>Seconds for a <c>Retry-After</c> header (429), if any.</summary>
    public int? RetryAfterSeconds => (int?)Status["details"]?["retryAfterSeconds"];
}
