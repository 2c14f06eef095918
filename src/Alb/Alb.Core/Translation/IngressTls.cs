using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>An Ingress's spec.tls: the hosts it covers (they get the HTTPS redirect) and their SNI bindings; the default certificate.</summary>
internal static class IngressTls
{
    /// <summary>The hosts of an Ingress without spec.tls.</summary>
    public static readonly IReadOnlySet<string> None = new HashSet<string>(StringComparer.Ordinal);

    public static IReadOnlySet<string> Read(V1Ingress ingress, TlsResolver tls, SortedDictionary<string, string?> bindings, List<Diagnostic> diagnostics)
    {
        if (ingress.Spec?.Tls is not { Count: > 0 } entries)
        {
            return None; // most Ingresses: no TLS section, nothing to make
        }

        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var name = ObjectNames.Of(ingress);
        var ns = ObjectNames.Ns(ingress.Metadata);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            string? certId = null;
            if (!string.IsNullOrEmpty(entry.SecretName))
            {
                var (cert, error, code) = tls.Resolve(ns, entry.SecretName);
                if (cert is not null)
                {
                    certId = cert.Id;
                }
                else
                {
                    diagnostics.Add(code!.At(name, $"spec.tls[{i}].secretName", error + "; the default certificate is served for these hosts"));
                }
            }

            IEnumerable<string> entryHosts = entry.Hosts is { Count: > 0 } listed
                ? listed
                : (ingress.Spec?.Rules ?? []).Select(r => r.Host).Where(h => !string.IsNullOrEmpty(h))!;
            var h = 0;
            foreach (var host in entryHosts)
            {
                if (!IngressValidation.TryValidateHost(host, out var why))
                {
                    diagnostics.Add(Codes.TlsHostInvalid.At(name, $"spec.tls[{i}].hosts[{h}]", why + "; ignored"));
                }
                else
                {
                    hosts.Add(host);
                    bindings.TryAdd(host, certId);
                }

                h++;
            }
        }

        return hosts;
    }

    public static string? ResolveDefaultCertificate(TranslationOptions options, TlsResolver tls, List<Diagnostic> diagnostics)
    {
        if (string.IsNullOrEmpty(options.DefaultSslCertificate))
        {
            return null;
        }

        var (ns, name) = ObjectNames.SplitRef(options.DefaultSslCertificate);
        var (cert, error, _) = tls.Resolve(ns, name);
        if (cert is not null)
        {
            return cert.Id;
        }

        diagnostics.Add(Codes.DefaultCertificateInvalid.At(ObjectNames.Of("Secret", ns, name), "--default-ssl-certificate", error + "; a generated self-signed certificate is used"));
        return null;
    }
}
