using Alb.Core.Diagnostics;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary><c>enable-access-log</c>: any bad value keeps the access log on, as ingress-nginx's <c>log</c> parser.</summary>
public static class LogAnnotations
{
    public static Parsed<bool> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var on = true;
        if (reader.Get("enable-access-log") is { Length: > 0 } text && !NginxValues.TryParseBool(text, out on))
        {
            findings.Add(Codes.InvalidProxyValue, "enable-access-log", $"\"{Shown(text)}\" is not a boolean; the access log stays on");
            on = true;
        }

        return findings.Result(on);
    }
}
