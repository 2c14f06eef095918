using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The Ingress entry of the operator's ValidatingWebhookConfiguration, which the host writes (with the CA bundle of the
/// certificate it serves). <c>failurePolicy: Ignore</c> on purpose: the webhook fails open only when no operator
/// replica answers, and then alb itself still refuses what the webhook would have (the Ingress is not served, with
/// its diagnostics in alb's log, Events and metrics); failing closed would instead stop every Ingress change of the
/// cluster, other controllers' included, while the operator is down.
/// </summary>
public static class IngressWebhook
{
    /// <summary>The webhook's name (fully qualified, as the API server requires).</summary>
    public const string Name = "ingresses.alb.edge.io";

    /// <summary>The HTTPS path the host serves <see cref="AdmissionReviews.Respond"/> at.</summary>
    public const string Path = "/validate/ingresses";

    public const string FailurePolicy = "Ignore";

    /// <summary>An answer takes well under a millisecond; a hung replica must not hold an Ingress change longer than this.</summary>
    public const int TimeoutSeconds = 5;

    /// <param name="serviceNamespace">The namespace of the webhook Service (<c>alb-operator-webhook</c> in deploy/base).</param>
    /// <param name="caBundle">The PEM CA bundle of the serving certificate.</param>
    public static V1ValidatingWebhook For(string serviceNamespace, string serviceName, byte[] caBundle) => new()
    {
        Name = Name,
        ClientConfig = new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = serviceNamespace, Name = serviceName, Path = Path, Port = 443 },
            CaBundle = caBundle,
        },
        // The main resource only: alb's status writes (ingresses/status) are never sent here.
        Rules =
        [
            new V1RuleWithOperations
            {
                ApiGroups = ["networking.k8s.io"],
                ApiVersions = ["v1"],
                Operations = ["CREATE", "UPDATE"],
                Resources = ["ingresses"],
                Scope = "Namespaced",
            },
        ],
        FailurePolicy = FailurePolicy,
        MatchPolicy = "Equivalent",
        SideEffects = "None",
        AdmissionReviewVersions = ["v1"],
        TimeoutSeconds = TimeoutSeconds,
    };
}
