using System.Text;
using k8s.Models;

namespace AlbOperator.Webhook;

/// <summary>
/// The ValidatingWebhookConfiguration the leader keeps: Ingresses (networking.k8s.io/v1) on CREATE and UPDATE go to
/// <c>POST /validate-ingress</c> of the Service <see cref="WebhookNames.Service"/> in the operator's namespace,
/// trusted through the webhook CA. <c>failurePolicy: Ignore</c>: an operator that is down or slow must not stop
/// anyone from writing Ingresses (alb refuses a bad Ingress itself, per Ingress, when it translates).
/// </summary>
internal static class WebhookConfiguration
{
    public static V1ValidatingWebhookConfiguration Desired(string ns, string caPem) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "ValidatingWebhookConfiguration",
        Metadata = new V1ObjectMeta
        {
            Name = WebhookNames.Configuration,
            Labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = "alb-operator",
                ["app.kubernetes.io/managed-by"] = "alb-operator",
            },
        },
        Webhooks =
        [
            new V1ValidatingWebhook
            {
                Name = WebhookNames.Webhook,
                ClientConfig = new Admissionregistrationv1WebhookClientConfig
                {
                    Service = new Admissionregistrationv1ServiceReference
                    {
                        NamespaceProperty = ns,
                        Name = WebhookNames.Service,
                        Path = WebhookNames.IngressPath,
                        Port = WebhookNames.ServicePort,
                    },
                    CaBundle = Encoding.UTF8.GetBytes(caPem),
                },
                Rules =
                [
                    new V1RuleWithOperations
                    {
                        ApiGroups = ["networking.k8s.io"],
                        ApiVersions = ["v1"],
                        Resources = ["ingresses"],
                        Operations = ["CREATE", "UPDATE"],
                        Scope = "*",
                    },
                ],
                FailurePolicy = "Ignore",
                MatchPolicy = "Equivalent",
                SideEffects = "None",
                AdmissionReviewVersions = ["v1"],
                TimeoutSeconds = 2,
            },
        ],
    };
}
