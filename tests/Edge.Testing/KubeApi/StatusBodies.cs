using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>One <c>details.causes</c> entry of a Status: reason (FieldValueInvalid, ...), message, field path.</summary>
internal sealed record FieldCause(string Reason, string Message, string Field);

/// <summary>
/// The Status bodies of apimachinery's <c>errors.go</c>, byte for byte in shape: <c>details.kind</c> is the plural,
/// except Invalid, which uses the Kind; the core group is left out of messages and details.
/// </summary>
internal static class StatusBodies
{
    public const string ConflictDetail = "the object has been modified; please apply your changes to the latest version and try again";

    public const string ContinueExpiredMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    public static ApiError NotFound(ResourceType type, string name) =>
        Failure(404, "NotFound", $"{type.GroupResource} \"{name}\" not found", Details(name, type.Group, type.Plural));

    public static ApiError NamespaceNotFound(string ns) =>
        Failure(404, "NotFound", $"namespaces \"{ns}\" not found", Details(ns, "", "namespaces"));

    public static ApiError PathNotFound() =>
        Failure(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiError AlreadyExists(ResourceType type, string name) =>
        Failure(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", Details(name, type.Group, type.Plural));

    public static ApiError Conflict(ResourceType type, string name, string detail = ConflictDetail) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": {detail}", Details(name, type.Group, type.Plural));

    public static ApiError TooOld(long requested, long oldest) =>
        Failure(410, "Expired", $"too old resource version: {requested} ({oldest})", null);

    public static ApiError ContinueExpired(string? newContinue)
    {
        var error = Failure(410, "Expired", ContinueExpiredMessage, null);
        if (newContinue is not null)
        {
            error.Status["metadata"] = new JsonObject { ["continue"] = newContinue };
        }

        return error;
    }

    public static ApiError Invalid(ResourceType type, string name, IReadOnlyList<FieldCause> causes)
    {
        var parts = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        var joined = parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
        var details = Details(name, type.Group, type.Kind);
        details["causes"] = Causes(causes);
        return Failure(422, "Invalid", $"{type.GroupKind} \"{name}\" is invalid: {joined}", details);
    }

    public static ApiError PatchFailed(string message) => Failure(422, "Invalid", message, new JsonObject());

    public static ApiError BadRequest(string message) => Failure(400, "BadRequest", message, null);

    public static ApiError MethodNotAllowed(string message) => Failure(405, "MethodNotAllowed", message, new JsonObject());

    public static ApiError UnsupportedMediaType(string contentType, string accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml") =>
        Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {accepted} (got {contentType})", new JsonObject());

    public static ApiError InternalError(string message) =>
        Failure(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    public static ApiError TooManyRequests(int retryAfterSeconds) =>
        Failure(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds });

    public static ApiError ApplyConflict(IReadOnlyList<FieldCause> conflicts)
    {
        var fields = conflicts.Select(c => $"{c.Message}: {c.Field}");
        var message = $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {string.Join("\n", fields)}";
        return Failure(409, "Conflict", message, new JsonObject { ["causes"] = Causes(conflicts) });
    }

    public static ApiError Forbidden(ResourceType type, string name, string reason) =>
        Failure(403, "Forbidden", $"{type.GroupResource} \"{name}\" is forbidden: {reason}", Details(name, type.Group, type.Plural));

    public static JsonObject Success(ResourceType type, string name, string? uid)
    {
        var details = Details(name, type.Group, type.Plural);
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static JsonArray Causes(IEnumerable<FieldCause> causes) =>
        new(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field }).ToArray());

    private static JsonObject Details(string name, string group, string kind)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        return details;
    }

    private static ApiError Failure(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return new ApiError(status);
    }
}
