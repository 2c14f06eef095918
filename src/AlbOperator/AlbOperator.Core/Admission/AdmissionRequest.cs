using System.Text.Json;
using Alb.Core.Translation;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The parts of an <c>admission.k8s.io/v1</c> AdmissionReview request the webhook reads. Parsing is TryParse-shaped:
/// a malformed review gives a reason (and the uid, when it could be read), never an exception.
/// </summary>
internal sealed record AdmissionRequest(
    string Uid,
    string Group,
    string Version,
    string Kind,
    string Operation,
    string? SubResource,
    string? Namespace,
    string? Name,
    JsonElement? Object,
    JsonElement? OldObject)
{
    public const string ApiVersion = "admission.k8s.io/v1";

    public static bool TryParse(string json, out AdmissionRequest? request, out string uid, out string? error)
    {
        request = null;
        uid = "";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            if (root.TryGetProperty("request", out var r) && r.ValueKind == JsonValueKind.Object)
            {
                uid = Text(r, "uid") ?? "";
            }

            error = Text(root, "apiVersion") != ApiVersion ? $"apiVersion is not {ApiVersion}"
                : Text(root, "kind") != "AdmissionReview" ? "kind is not AdmissionReview"
                : !root.TryGetProperty("request", out var req) || req.ValueKind != JsonValueKind.Object ? "request is missing"
                : uid.Length == 0 ? "request.uid is missing"
                : !req.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.Object ? "request.kind is missing"
                : Text(req, "operation") is not { Length: > 0 } ? "request.operation is missing"
                : null;
            if (error is not null)
            {
                return false;
            }

            var body = root.GetProperty("request");
            var gvk = body.GetProperty("kind");
            request = new AdmissionRequest(
                uid,
                Text(gvk, "group") ?? "",
                Text(gvk, "version") ?? "",
                Text(gvk, "kind") ?? "",
                Text(body, "operation")!,
                Text(body, "subResource"),
                Text(body, "namespace"),
                Text(body, "name"),
                ObjectOf(body, "object"),
                ObjectOf(body, "oldObject"));
            return true;
        }
    }

    /// <summary>An object of the review as an Ingress; its namespace and name from the request when the object has none.</summary>
    public bool TryReadIngress(JsonElement? element, out V1Ingress? ingress, out string? error)
    {
        ingress = null;
        if (element is not { } value)
        {
            error = "the object is missing";
            return false;
        }

        try
        {
            ingress = KubernetesJson.Deserialize<V1Ingress>(value);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            error = $"the object is not an Ingress: {e.Message}";
            return false;
        }

        if (ingress is null)
        {
            error = "the object is null";
            return false;
        }

        // The API server validates an object before validating webhooks see it, so these never come from it; alb's
        // translation does not expect them either.
        if (IngressValidation.FirstNullEntry(ingress) is { } where)
        {
            error = $"{where} is null";
            ingress = null;
            return false;
        }

        ingress.Metadata ??= new V1ObjectMeta();
        if (string.IsNullOrEmpty(ingress.Metadata.NamespaceProperty))
        {
            ingress.Metadata.NamespaceProperty = Namespace;
        }

        if (string.IsNullOrEmpty(ingress.Metadata.Name))
        {
            ingress.Metadata.Name = Name;
        }

        error = null;
        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? ObjectOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;
}
