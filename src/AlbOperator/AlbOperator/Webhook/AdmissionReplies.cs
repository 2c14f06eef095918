using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlbOperator.Webhook;

/// <summary>
/// The few bits of the <c>admission.k8s.io/v1</c> wire format the endpoint needs: the request's uid, an
/// answer. (The core's <c>AlbOperator.Core.Admission.AdmissionReviews.Respond</c> is the whole Ingress review.)
/// </summary>
internal static class AdmissionReplies
{
    public const string ApiVersion = "admission.k8s.io/v1";

    /// <summary>The request's uid; <see cref="FormatException"/> when the body is not an AdmissionReview with one.</summary>
    public static string Uid(string admissionReviewJson)
    {
        JsonNode? review;
        try
        {
            review = JsonNode.Parse(admissionReviewJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }

        if (review is not JsonObject root || (string?)root["kind"] != "AdmissionReview" || root["request"] is not JsonObject request
            || request["uid"] is not JsonValue uid || uid.GetValueKind() != JsonValueKind.String)
        {
            throw new FormatException("not an AdmissionReview with request.uid");
        }

        return (string)uid!;
    }

    public static string Allow(string uid, IReadOnlyList<string>? warnings = null) => Answer(uid, allowed: true, null, 0, warnings);

    /// <summary>A refusal: <paramref name="message"/> is what kubectl shows.</summary>
    public static string Deny(string uid, string message, int code = 403) => Answer(uid, allowed: false, message, code, null);

    private static string Answer(string uid, bool allowed, string? message, int code, IReadOnlyList<string>? warnings)
    {
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = allowed };
        if (message is not null)
        {
            response["status"] = new JsonObject { ["code"] = code, ["message"] = message };
        }

        if (warnings is { Count: > 0 })
        {
            response["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode)w)]);
        }

        return new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["response"] = response }.ToJsonString();
    }
}
