using System.Text;
using AlbOperator.Core.Admission;
using k8s.Models;

namespace AlbOperator.Webhook;

/// <summary>
/// The ValidatingWebhookConfiguration the leader keeps: the core's Ingress entry (<see cref="IngressWebhook.For"/>:
/// Ingresses of networking.k8s.io/v1 on CREATE and UPDATE, <c>failurePolicy: Ignore</c>, no side effects, v1 reviews)
/// for the Service <see cref="WebhookNames.Service"/> in the operator's namespace, trusted through the webhook CA,
/// with the path and timeout the operator's issue fixes: <c>/validate-ingress</c> and 2 s (the host answers the
/// core's <see cref="IngressWebhook.Path"/> too). <c>failurePolicy: Ignore</c>: an operator that is down or slow must
/// not stop anyone from writing Ingresses; alb refuses a bad Ingress itself when it translates it.
/// </summary>
internal static class WebhookConfiguration
{
    public const int TimeoutSeconds = 2;

    public static V1ValidatingWebhookConfiguration Desired(string ns, string caPem)
    {
        var hook = IngressWebhook.For(ns, WebhookNames.Service, Encoding.UTF8.GetBytes(caPem));
        hook.ClientConfig.Service.Path = WebhookNames.IngressPath;
        hook.ClientConfig.Service.Port = WebhookNames.ServicePort;
        hook.TimeoutSeconds = TimeoutSeconds;
        return new V1ValidatingWebhookConfiguration
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
            Webhooks = [hook],
        };
    }
}
