using Alb.Core.Diagnostics;

namespace Alb.Core.Annotations;

/// <summary>
/// The first look at an Ingress's annotations, before any family parser: every key under the prefix is known and
/// honoured, known and not honoured (a Warning naming it, never silence), refused by design (the Ingress is not
/// served), or unknown (a typo gets its own diagnostic). Authentication keys that alb does not honour yet fail closed.
/// </summary>
public static class AnnotationScreen
{
    /// <summary>Families that put a lock on a route: a key of theirs alb does not honour yet makes the route answer 503 instead of serving unauthenticated.</summary>
    private static bool Locks(AnnotationFamily family) => family is AnnotationFamily.BasicAuth or AnnotationFamily.ExternalAuth or AnnotationFamily.ClientCertificates or AnnotationFamily.Access;

    public static Parsed<bool> Read(AnnotationReader reader, AnnotationRisk maxRisk = AnnotationRisk.High)
    {
        var findings = new Findings(reader);
        foreach (var name in reader.Names)
        {
            var info = AnnotationCatalog.Find(name);
            if (info is null)
            {
                findings.Add(Codes.UnknownAnnotation, name, "is not an ingress-nginx annotation (a typo?); ignored");
                continue;
            }

            if (info.Risk > maxRisk && info.Support != AnnotationSupport.RefusedByDesign)
            {
                findings.Add(Codes.RefusedAnnotation, name, $"has risk {info.Risk}, above the ConfigMap's annotations-risk-level {maxRisk}; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                continue;
            }

            switch (info.Support)
            {
                case AnnotationSupport.RefusedByDesign:
                    findings.Add(Codes.RefusedAnnotation, name,
                        info.Risk == AnnotationRisk.Critical
                            ? "carries raw nginx configuration (risk Critical); alb has no configuration language to inject into, and ingress-nginx v1.12+ refuses it too (allow-snippet-annotations: false, annotations-risk-level: High). The Ingress is not served; move what the snippet did to annotations or the backend"
                            : "is refused by design; the Ingress is not served",
                        BadValueOutcome.RejectIngress);
                    break;
                case AnnotationSupport.NotSupported:
                    findings.Add(Codes.UnsupportedAnnotation, name, $"is not supported by alb ({info.Family}); the route is served without it");
                    break;
                case AnnotationSupport.Planned when Locks(info.Family) || name.StartsWith("auth-", StringComparison.Ordinal):
                    findings.Add(Codes.AuthNotYetSupported, name,
                        "authentication at the ingress is not built yet; the route answers 503 rather than serve without the check",
                        BadValueOutcome.DenyRoute);
                    break;
                case AnnotationSupport.Planned:
                    findings.Add(Codes.UnsupportedAnnotation, name, $"is not supported by alb yet ({info.Family}); the route is served without it");
                    break;
            }
        }

        return findings.Result(true);
    }
}
