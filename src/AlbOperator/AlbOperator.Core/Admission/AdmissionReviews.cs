using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The webhook's wire format: an <c>admission.k8s.io/v1</c> AdmissionReview request in, the AdmissionReview response
/// out (the request's <c>uid</c>, <c>allowed</c>, <c>status</c> with code 403 and the message when refused,
/// <c>warnings</c>). The host serves it over HTTPS at the path of its ValidatingWebhookConfiguration.
/// </summary>
public static class AdmissionReviews
{
    private const string IngressGroup = "networking.k8s.io";

    public static string Respond(string requestJson, IngressAdmission admission)
    {
        if (!AdmissionRequest.TryParse(requestJson, out var request, out var uid, out var error))
        {
            // Not a review the API server would send: refuse rather than allow something never looked at.
            return Write(uid, new AdmissionDecision(false, $"malformed AdmissionReview: {error}", []), code: 400);
        }

        var (decision, code) = Decide(request!, admission);
        return Write(request!.Uid, decision, code);
    }

    /// <summary>The decision, and the status code of a refusal: 403 for an Ingress alb would refuse, 400 for a malformed object.</summary>
    private static (AdmissionDecision Decision, int Code) Decide(AdmissionRequest request, IngressAdmission admission)
    {
        // Kinds other than Ingress are allowed: they reach this webhook only through a misconfigured
        // ValidatingWebhookConfiguration, and alb has no opinion on them; refusing would break unrelated workloads.
        if (request.Group != IngressGroup || request.Kind != "Ingress")
        {
            return (AdmissionDecision.NotReviewed($"{request.Kind}.{request.Group} is not reviewed"), 0);
        }

        // networking.k8s.io/v1 is the only Ingress version served since Kubernetes 1.22 (the webhook asks for it with
        // matchPolicy: Equivalent); any other is let through with a warning rather than read with the wrong schema.
        if (request.Version != "v1")
        {
            return (new AdmissionDecision(true, "", [$"Ingress {request.Group}/{request.Version} is not reviewed by alb-operator (only v1)"]), 0);
        }

        // Status writes (alb's own, with the load balancer address) must never be blocked; alb reads only the spec and
        // metadata. DELETE and CONNECT leave nothing for alb to serve.
        if (!string.IsNullOrEmpty(request.SubResource))
        {
            return (AdmissionDecision.NotReviewed($"subresource {request.SubResource} is not reviewed"), 0);
        }

        if (request.Operation is not ("CREATE" or "UPDATE"))
        {
            return (AdmissionDecision.NotReviewed($"operation {request.Operation} is not reviewed"), 0);
        }

        // dryRun changes nothing: the webhook has no side effects (sideEffects: None), so a dry run gets the real answer.
        if (!request.TryReadIngress(request.Object, out var ingress, out var error))
        {
            return (new AdmissionDecision(false, $"malformed AdmissionReview: request.object: {error}", []), 400);
        }

        var previous = request.Operation == "UPDATE" && request.TryReadIngress(request.OldObject, out var old, out _) ? old : null;
        return (admission.Review(ingress!, request.Operation, previous), 403);
    }

    private static string Write(string uid, AdmissionDecision decision, int code)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: the diagnostics' quotes stay readable in the raw response; only the API server reads it.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", AdmissionRequest.ApiVersion);
            json.WriteString("kind", "AdmissionReview");
            json.WriteStartObject("response");
            json.WriteString("uid", uid);
            json.WriteBoolean("allowed", decision.Allowed);
            if (!decision.Allowed)
            {
                json.WriteStartObject("status");
                json.WriteNumber("code", code);
                json.WriteString("message", decision.Message);
                json.WriteEndObject();
            }

            if (decision.Warnings.Count > 0)
            {
                json.WriteStartArray("warnings");
                foreach (var warning in decision.Warnings)
                {
                    json.WriteStringValue(warning);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
