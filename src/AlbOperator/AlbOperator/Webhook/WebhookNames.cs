namespace AlbOperator.Webhook;

/// <summary>The names of the webhook's objects. The Service is deploy/base/operator.yaml's.</summary>
internal static class WebhookNames
{
    /// <summary>The Secret (type kubernetes.io/tls, in the operator's namespace) with the CA and the serving certificate.</summary>
    public const string Secret = "alb-operator-webhook-tls";

    /// <summary>The ValidatingWebhookConfiguration (cluster-scoped).</summary>
    public const string Configuration = "alb-operator";

    /// <summary>The Service in front of every replica's <c>--webhook</c> port (443 → 9443).</summary>
    public const string Service = "alb-operator-webhook";

    public const int ServicePort = 443;

    /// <summary>The path registered; the core's <c>IngressWebhook.Path</c> (<c>/validate/ingresses</c>) is answered too.</summary>
    public const string IngressPath = "/validate-ingress";

    public const string CaKey = "ca.crt";
    public const string CaPrivateKey = "ca.key";
    public const string CertKey = "tls.crt";
    public const string PrivateKey = "tls.key";

    /// <summary>The names the serving certificate is valid for, the in-cluster DNS name of the Service first.</summary>
    public static IReadOnlyList<string> DnsNames(string ns) =>
        [$"{Service}.{ns}.svc", $"{Service}.{ns}.svc.cluster.local", $"{Service}.{ns}", Service];
}
