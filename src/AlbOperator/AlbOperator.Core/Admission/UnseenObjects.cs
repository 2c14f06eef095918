using Alb.Core.Diagnostics;

namespace AlbOperator.Core.Admission;

/// <summary>
/// Diagnostics about objects the webhook does not see. It is given Ingresses and IngressClasses only (the operator does
/// not cache the cluster's Services, EndpointSlices, Secrets and ConfigMaps for it), so alb's translation finds every
/// referenced one missing; saying so would be false. alb reports the real ones when it serves, and none of them
/// refuses an Ingress (a missing Secret makes the route answer 503; it may be created after the Ingress).
/// </summary>
internal static class UnseenObjects
{
    /// <summary>Codes only ever about a referenced Service, endpoint, TLS Secret or the global ConfigMap.</summary>
    private static readonly HashSet<string> LookupCodes = new(StringComparer.Ordinal)
    {
        Codes.ServiceNotFound.Code, Codes.ServicePortNotFound.Code, Codes.NoReadyEndpoints.Code, Codes.ExternalNameService.Code,
        Codes.TlsSecretNotFound.Code, Codes.TlsSecretInvalid.Code, Codes.DefaultCertificateInvalid.Code,
        Codes.ConfigMapNotFound.Code, Codes.HtpasswdEntry.Code, Codes.ClientCertSecretUnusable.Code,
    };

    /// <summary>Codes of annotation families that also report a referenced object that is not there (their other findings are real).</summary>
    private static readonly HashSet<string> MixedCodes = new(StringComparer.Ordinal)
    {
        Codes.InvalidErrorsValue.Code, Codes.InvalidBackendTls.Code, Codes.InvalidBasicAuth.Code, Codes.InvalidExternalAuth.Code,
        Codes.JwksSecretUnusable.Code, Codes.InvalidProxyValue.Code,
    };

    /// <summary>How those families word a missing object (pinned by tests, one per family).</summary>
    private static readonly string[] MissingWordings = ["does not exist", "is not in the manifests"];

    public static bool DependsOn(Diagnostic diagnostic) =>
        LookupCodes.Contains(diagnostic.Code) ||
        (MixedCodes.Contains(diagnostic.Code) && MissingWordings.Any(w => diagnostic.Message.Contains(w, StringComparison.Ordinal)));
}
