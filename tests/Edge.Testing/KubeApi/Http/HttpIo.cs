using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Testing.KubeApi;

/// <summary>Reading bodies and query parameters, writing JSON and Status responses.</summary>
internal static class HttpIo
{
    /// <summary>Output as the API server writes it: quotes as <c>\"</c>, no HTML escaping.</summary>
    public static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body, RequestInfo info)
    {
        info.StatusCode = status;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var pretty = Flag(context, "pretty");
        await context.Response.WriteAsync(body.ToJsonString(pretty ? Pretty : Compact), context.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext context, ApiError error, RequestInfo info)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.Code, error.Status, info);
    }

    public static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    /// <summary>A create or update body: JSON or YAML; anything else (protobuf, CBOR) is 415 so clients fall back to JSON.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (!(mediaType.EndsWith("json", StringComparison.Ordinal) || mediaType is "application/yaml" or "text/plain" or ""))
        {
            throw StatusBodies.UnsupportedMediaType(contentType, "application/json, application/yaml");
        }

        var text = await ReadBodyAsync(context);
        try
        {
            return (mediaType == "application/yaml" ? YamlToJson.Parse(text) : JsonNode.Parse(text)) as JsonObject
                ?? throw StatusBodies.BadRequest("the request body must be an object");
        }
        catch (JsonException e)
        {
            throw StatusBodies.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    public static bool Flag(HttpContext context, string name) => Query(context, name) is "true" or "1" or "True";

    public static int? Int(HttpContext context, string name) =>
        int.TryParse(Query(context, name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    public static WriteOptions WriteOptions(HttpContext context) => new(
        DryRun: context.Request.Query["dryRun"].Contains("All"),
        FieldManager: Query(context, "fieldManager"),
        Force: Flag(context, "force"),
        UserAgent: context.Request.Headers.UserAgent.ToString());
}
