using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Translation;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>mirror-target</c> (an http/https URL, optionally ending in <c>$request_uri</c>), <c>mirror-host</c> and
/// <c>mirror-request-body</c> (on unless exactly "off"). A bad target or host is ignored with a diagnostic (ingress-nginx
/// never refuses these); no other nginx variable is expanded.
/// </summary>
public static class MirrorAnnotations
{
    public static Parsed<MirrorPolicy?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var target = reader.Get("mirror-target")?.Trim();
        if (string.IsNullOrEmpty(target))
        {
            return findings.Result<MirrorPolicy?>(null);
        }

        var appendUri = target.EndsWith("$request_uri", StringComparison.Ordinal);
        var url = appendUri ? target[..^"$request_uri".Length] : target;
        if (url.Length > 2048 || NginxValues.HasForbiddenCharacters(url) || url.Contains('$', StringComparison.Ordinal) ||
            !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            findings.Add(Codes.InvalidMirror, "mirror-target", $"\"{Shown(target)}\" is not an http(s) URL (optionally ending in $request_uri); requests are not mirrored");
            return findings.Result<MirrorPolicy?>(null);
        }

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        if (reader.Get("mirror-host")?.Trim() is { Length: > 0 } hostText)
        {
            if (IngressValidation.TryValidateHost(hostText.ToLowerInvariant(), out _))
            {
                host = hostText.ToLowerInvariant();
            }
            else
            {
                findings.Add(Codes.InvalidMirror, "mirror-host", $"\"{Shown(hostText)}\" is not a host name; the target's host ({host}) is sent");
            }
        }

        var body = reader.Get("mirror-request-body")?.Trim() != "off";
        return findings.Result<MirrorPolicy?>(new MirrorPolicy(url.TrimEnd('/'), appendUri, host, body));
    }
}
