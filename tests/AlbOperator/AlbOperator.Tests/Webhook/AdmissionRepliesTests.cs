using System.Text.Json.Nodes;
using AlbOperator.Webhook;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlbOperator.Tests.Webhook;

public class AdmissionRepliesTests
{
    private const string Review = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","operation":"CREATE","object":{"kind":"Ingress"}}}""";

    [Fact]
    public void The_placeholder_reviewer_allows_with_the_request_uid()
    {
        var answer = JsonNode.Parse(new AllowAllReviewer(NullLogger<AllowAllReviewer>.Instance).Respond(Review))!;

        Assert.Equal("admission.k8s.io/v1", (string?)answer["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)answer["kind"]);
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", (string?)answer["response"]!["uid"]);
        Assert.True((bool)answer["response"]!["allowed"]!);
    }

    [Fact]
    public void A_refusal_carries_its_message_and_code()
    {
        var answer = JsonNode.Parse(AdmissionReplies.Deny("u", "spec.rules[0].host: not a host name"))!["response"]!;

        Assert.False((bool)answer["allowed"]!);
        Assert.Equal(403, (int)answer["status"]!["code"]!);
        Assert.Equal("spec.rules[0].host: not a host name", (string?)answer["status"]!["message"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"kind":"AdmissionReview"}""")]
    [InlineData("""{"kind":"AdmissionReview","request":{"uid":5}}""")]
    [InlineData("""{"kind":"Status","request":{"uid":"u"}}""")]
    public void Anything_but_an_admission_review_with_a_uid_is_a_format_error(string body) =>
        Assert.Throws<FormatException>(() => AdmissionReplies.Uid(body));
}
