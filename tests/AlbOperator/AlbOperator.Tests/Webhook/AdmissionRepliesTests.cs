using System.Text.Json.Nodes;
using AlbOperator.Webhook;

namespace AlbOperator.Tests.Webhook;

public class AdmissionRepliesTests
{
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
