using System.Text.Json;
using System.Text.Json.Nodes;
using AlbOperator.Core.Admission;
using k8s;
using static AlbOperator.Core.Tests.Admission.TestIngresses;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>The AdmissionReview wire format, as the API server sends and reads it.</summary>
public class AdmissionReviewsTests
{
    private const string Uid = "705ab4f5-6393-11e8-b7cc-42010a800002";

    private static string Review(string operation, object? ingress, object? old = null, string group = "networking.k8s.io", string kind = "Ingress",
        string version = "v1", string? subResource = null, bool dryRun = false)
    {
        var request = new JsonObject
        {
            ["uid"] = Uid,
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = "ingresses" },
            ["namespace"] = "team",
            ["name"] = "shop",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "admin" },
            ["object"] = ingress is null ? null : JsonNode.Parse(ingress as string ?? KubernetesJson.Serialize(ingress)),
            ["oldObject"] = old is null ? null : JsonNode.Parse(KubernetesJson.Serialize(old)),
            ["dryRun"] = dryRun,
        };
        if (subResource is not null)
        {
            request["subResource"] = subResource;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    private static JsonElement Response(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("admission.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", root.GetProperty("kind").GetString());
        return root.GetProperty("response").Clone();
    }

    [Fact]
    public void A_refusal_echoes_the_uid_with_403_and_the_diagnostics()
    {
        var snippet = Ingress("shop", ns: "team", annotations: Annotations(("server-snippet", "x")));

        var response = Response(AdmissionReviews.Respond(Review("CREATE", snippet), Webhook()));

        Assert.Equal(Uid, response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.StartsWith("alb would not serve this Ingress:\nALB1603 Ingress team/shop metadata.annotations[nginx.ingress.kubernetes.io/server-snippet]:", response.GetProperty("status").GetProperty("message").GetString());
    }

    [Fact]
    public void An_allowed_Ingress_gets_its_warnings_and_no_status()
    {
        var typo = Ingress("shop", ns: "team", annotations: Annotations(("rewrite-targt", "/")));

        var response = Response(AdmissionReviews.Respond(Review("CREATE", typo), Webhook()));

        Assert.Equal(Uid, response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.False(response.TryGetProperty("status", out _));
        Assert.StartsWith("ALB1601 ", Assert.Single(response.GetProperty("warnings").EnumerateArray()).GetString());
    }

    [Fact]
    public void The_namespace_and_name_come_from_the_request_when_the_object_has_none()
    {
        var bare = Ingress("", ns: "", annotations: Annotations(("server-snippet", "x")));
        bare.Metadata.NamespaceProperty = null;
        bare.Metadata.Name = null;

        var response = Response(AdmissionReviews.Respond(Review("CREATE", bare), Webhook()));

        Assert.Contains("Ingress team/shop", response.GetProperty("status").GetProperty("message").GetString());

        // A name still to be generated (generateName, and no name in the request): judged all the same.
        bare.Metadata.GenerateName = "shop-";
        var generated = Response(AdmissionReviews.Respond(Review("CREATE", bare).Replace("\"name\":\"shop\",", "", StringComparison.Ordinal), Webhook()));
        Assert.Contains("Ingress team/shop-(generated) ", generated.GetProperty("status").GetProperty("message").GetString());
    }

    [Fact]
    public void A_taken_path_is_refused_through_the_wire_too_and_dry_run_changes_nothing()
    {
        var admission = Webhook(Ingress("owner", ns: "team", created: Old));
        var shop = Ingress("shop", ns: "team");

        foreach (var dryRun in new[] { false, true })
        {
            var response = Response(AdmissionReviews.Respond(Review("CREATE", shop, dryRun: dryRun), admission));
            Assert.False(response.GetProperty("allowed").GetBoolean());
            Assert.Contains("ALB1205 Ingress team/shop spec.rules[0].http.paths[0]:", response.GetProperty("status").GetProperty("message").GetString());
        }
    }

    [Fact]
    public void An_update_that_changes_nothing_alb_reads_is_allowed_through_the_wire()
    {
        var stored = Ingress("shop", ns: "team", created: Old, annotations: Annotations(("server-snippet", "x")));
        var relabelled = Ingress("shop", ns: "team", created: Old, annotations: Annotations(("server-snippet", "x")));
        relabelled.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };

        Assert.True(Response(AdmissionReviews.Respond(Review("UPDATE", relabelled, old: stored), Webhook(stored))).GetProperty("allowed").GetBoolean());
        Assert.False(Response(AdmissionReviews.Respond(Review("UPDATE", relabelled), Webhook(stored))).GetProperty("allowed").GetBoolean());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"operation\":\"CREATE\"}}")]
    public void A_malformed_review_is_refused_with_400(string json)
    {
        var response = Response(AdmissionReviews.Respond(json, Webhook()));

        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(400, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.StartsWith("malformed AdmissionReview: ", response.GetProperty("status").GetProperty("message").GetString());
    }

    [Fact]
    public void An_object_that_is_not_an_Ingress_is_malformed_and_the_uid_is_still_echoed()
    {
        var response = Response(AdmissionReviews.Respond(Review("CREATE", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"rules\":\"everything\"}}"), Webhook()));

        Assert.Equal(Uid, response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(400, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.StartsWith("malformed AdmissionReview: request.object: the object is not an Ingress", response.GetProperty("status").GetProperty("message").GetString());

        Assert.False(Response(AdmissionReviews.Respond(Review("CREATE", null), Webhook())).GetProperty("allowed").GetBoolean());
    }

    [Theory]
    [InlineData("DELETE", "networking.k8s.io", "Ingress", null)]
    [InlineData("CONNECT", "networking.k8s.io", "Ingress", null)]
    [InlineData("UPDATE", "networking.k8s.io", "Ingress", "status")]
    [InlineData("CREATE", "", "ConfigMap", null)]
    [InlineData("CREATE", "networking.k8s.io", "IngressClass", null)]
    public void What_it_does_not_review_is_allowed(string operation, string group, string kind, string? subResource)
    {
        var snippet = Ingress("shop", ns: "team", annotations: Annotations(("server-snippet", "x")));

        var response = Response(AdmissionReviews.Respond(Review(operation, snippet, group: group, kind: kind, subResource: subResource), Webhook()));

        Assert.Equal(Uid, response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.False(response.TryGetProperty("warnings", out _));
    }

    [Fact]
    public void Another_Ingress_version_is_allowed_with_a_warning()
    {
        var response = Response(AdmissionReviews.Respond(Review("CREATE", "{\"metadata\":{\"name\":\"x\"}}", version: "v1beta1"), Webhook()));

        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.Contains("not reviewed", Assert.Single(response.GetProperty("warnings").EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":null}", true)]
    [InlineData("{\"metadata\":{\"name\":\"x\",\"annotations\":{\"nginx.ingress.kubernetes.io/limit-rps\":null}},\"spec\":{\"ingressClassName\":\"web\"}}", true)]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ingressClassName\":\"web\",\"rules\":[{},{\"host\":null,\"http\":null},{\"http\":{\"paths\":[{},{\"path\":null,\"backend\":null}]}}],\"tls\":[{}],\"defaultBackend\":{}}}", true)]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ingressClassName\":\"web\",\"rules\":[{\"host\":\"a.example.com\",\"http\":{\"paths\":[{\"pathType\":\"Prefix\",\"path\":\"/\",\"backend\":{\"service\":{\"name\":null,\"port\":null}}}]}}]}}", true)]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ingressClassName\":\"web\",\"rules\":[null]}}", false)]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ingressClassName\":\"web\",\"rules\":[{\"http\":{\"paths\":[null]}}]}}", false)]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ingressClassName\":\"web\",\"tls\":[{\"hosts\":[null]}]}}", false)]
    public void Odd_objects_get_an_answer_not_an_exception(string ingress, bool allowed)
    {
        // Null list entries never come from the API server (it validates first); they are malformed here.
        var response = Response(AdmissionReviews.Respond(Review("CREATE", ingress), Webhook(Ingress("owner", created: Old))));

        Assert.Equal(Uid, response.GetProperty("uid").GetString());
        Assert.Equal(allowed, response.GetProperty("allowed").GetBoolean());
    }
}
