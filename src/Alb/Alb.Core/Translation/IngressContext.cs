using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>One Ingress being translated, with its redirect annotations read once.</summary>
internal sealed class IngressContext
{
    public const string SslRedirectAnnotation = "nginx.ingress.kubernetes.io/ssl-redirect";
    public const string ForceSslRedirectAnnotation = "nginx.ingress.kubernetes.io/force-ssl-redirect";
    public const string BackendProtocolAnnotation = "nginx.ingress.kubernetes.io/backend-protocol";

    private readonly bool _sslRedirect;
    private readonly bool _forceSslRedirect;

    public IngressContext(V1Ingress ingress, GlobalSettings settings, List<Diagnostic> diagnostics)
    {
        Ingress = ingress;
        Diagnostics = diagnostics;
        Namespace = ObjectNames.Ns(ingress.Metadata);
        IngressName = ingress.Metadata.Name;
        Name = ObjectNames.Of(ingress);
        _sslRedirect = ReadBool(SslRedirectAnnotation, settings.SslRedirect);
        _forceSslRedirect = ReadBool(ForceSslRedirectAnnotation, false);
        Protocol = ReadProtocol();
    }

    /// <summary>The backend-protocol annotation of this Ingress.</summary>
    public UpstreamProtocol Protocol { get; }

    public V1Ingress Ingress { get; }

    public List<Diagnostic> Diagnostics { get; }

    public string Namespace { get; }

    public string IngressName { get; }

    public string Name { get; }

    /// <summary>ingress-nginx: 308 to HTTPS when the host has TLS (ssl-redirect, default on) or force-ssl-redirect is set.</summary>
    public bool RedirectsToHttps(string host, HashSet<string> tlsHosts) =>
        _forceSslRedirect || (_sslRedirect && host.Length > 0 && CoveredByTls(host, tlsHosts));

    private static bool CoveredByTls(string host, HashSet<string> tlsHosts)
    {
        if (tlsHosts.Contains(host))
        {
            return true;
        }

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && !host.StartsWith("*.", StringComparison.Ordinal) && tlsHosts.Contains("*" + host[dot..]);
    }

    private UpstreamProtocol ReadProtocol()
    {
        if (Ingress.Metadata.Annotations is not { } annotations || !annotations.TryGetValue(BackendProtocolAnnotation, out var text))
        {
            return UpstreamProtocol.Http;
        }

        switch (text.Trim().ToUpperInvariant())
        {
            case "HTTP" or "AUTO_HTTP":
                return UpstreamProtocol.Http;
            case "HTTPS":
                return UpstreamProtocol.Https;
            case "GRPC":
                return UpstreamProtocol.Grpc;
            case "GRPCS":
                return UpstreamProtocol.Grpcs;
            case "FCGI":
                Diagnostics.Add(Codes.InvalidAnnotation.At(Name, $"metadata.annotations[{BackendProtocolAnnotation}]", "FCGI backends are not supported; HTTP is used"));
                return UpstreamProtocol.Http;
            default:
                Diagnostics.Add(Codes.InvalidAnnotation.At(Name, $"metadata.annotations[{BackendProtocolAnnotation}]", $"\"{text}\" is not HTTP, HTTPS, AUTO_HTTP, GRPC or GRPCS; HTTP is used"));
                return UpstreamProtocol.Http;
        }
    }

    private bool ReadBool(string key, bool fallback)
    {
        if (Ingress.Metadata.Annotations is not { } annotations || !annotations.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (NginxValues.TryParseBool(text, out var value))
        {
            return value;
        }

        Diagnostics.Add(Codes.InvalidAnnotation.At(Name, $"metadata.annotations[{key}]", $"\"{text}\" is not a boolean (true/false); default {fallback.ToString().ToLowerInvariant()} applies"));
        return fallback;
    }
}
