using AlbOperator.Core.Admission;

namespace AlbOperator.Core.Tests.Admission;

public class IngressWebhookTests
{
    [Fact]
    public void Fails_open_and_sees_only_Ingress_creates_and_updates()
    {
        var webhook = IngressWebhook.For("edge-system", "alb-operator-webhook", [1, 2, 3]);

        Assert.Equal("Ignore", webhook.FailurePolicy);
        Assert.Equal("None", webhook.SideEffects);
        Assert.Equal(["v1"], webhook.AdmissionReviewVersions);
        Assert.Equal("Equivalent", webhook.MatchPolicy);
        var rule = Assert.Single(webhook.Rules);
        Assert.Equal(["networking.k8s.io"], rule.ApiGroups);
        Assert.Equal(["v1"], rule.ApiVersions);
        Assert.Equal(["CREATE", "UPDATE"], rule.Operations);
        Assert.Equal(["ingresses"], rule.Resources); // not ingresses/status: alb's status writes never come here
        Assert.Equal("/validate/ingresses", webhook.ClientConfig.Service.Path);
        Assert.Equal("edge-system", webhook.ClientConfig.Service.NamespaceProperty);
        Assert.Equal([1, 2, 3], webhook.ClientConfig.CaBundle);
        Assert.Equal("ingresses.alb.edge.io", webhook.Name); // the API server wants at least three segments
    }
}
