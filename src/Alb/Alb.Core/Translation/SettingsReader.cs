using System.Globalization;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;

namespace Alb.Core.Translation;

/// <summary>Reads the global ConfigMap (ingress-nginx keys). A bad value keeps the default and raises a diagnostic.</summary>
internal static class SettingsReader
{
    public static GlobalSettings Read(ClusterSnapshot snapshot, string? configMapRef, List<Diagnostic> diagnostics)
    {
        if (string.IsNullOrEmpty(configMapRef))
        {
            return GlobalSettings.Default;
        }

        var (ns, name) = SplitRef(configMapRef);
        var map = snapshot.FindConfigMap(ns, name);
        var obj = ObjectNames.Of("ConfigMap", ns, name);
        if (map is null)
        {
            diagnostics.Add(Codes.ConfigMapNotFound.At(obj, null, "not found in the manifests; defaults apply"));
            return GlobalSettings.Default;
        }

        IDictionary<string, string> data = map.Data ?? new Dictionary<string, string>();
        var settings = GlobalSettings.Default;
        if (data.TryGetValue("proxy-body-size", out var size))
        {
            if (NginxValues.TryParseSize(size, out var bytes))
            {
                settings = settings with { ProxyBodySize = bytes };
            }
            else
            {
                diagnostics.Add(Codes.InvalidConfigMapValue.At(obj, "data.proxy-body-size", $"\"{size}\" is not a size (e.g. 8m, 512k, 0 for unlimited); default 1m applies"));
            }
        }

        settings = Seconds(data, "proxy-connect-timeout", obj, diagnostics, settings.ProxyConnectTimeoutSeconds, v => settings with { ProxyConnectTimeoutSeconds = v }) ?? settings;
        settings = Seconds(data, "proxy-read-timeout", obj, diagnostics, settings.ProxyReadTimeoutSeconds, v => settings with { ProxyReadTimeoutSeconds = v }) ?? settings;
        settings = Seconds(data, "client-header-timeout", obj, diagnostics, settings.ClientHeaderTimeoutSeconds, v => settings with { ClientHeaderTimeoutSeconds = v }) ?? settings;

        if (data.TryGetValue("ssl-redirect", out var redirect))
        {
            if (bool.TryParse(redirect, out var on))
            {
                settings = settings with { SslRedirect = on };
            }
            else
            {
                diagnostics.Add(Codes.InvalidConfigMapValue.At(obj, "data.ssl-redirect", $"\"{redirect}\" is not true or false; default true applies"));
            }
        }

        return settings;
    }

    private static GlobalSettings? Seconds(IDictionary<string, string> data, string key, string obj, List<Diagnostic> diagnostics, int current, Func<int, GlobalSettings> apply)
    {
        if (!data.TryGetValue(key, out var text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86400)
        {
            return apply(seconds);
        }

        diagnostics.Add(Codes.InvalidConfigMapValue.At(obj, $"data.{key}", $"\"{text}\" is not a whole number of seconds in 1-86400; default {current} applies"));
        return null;
    }

    public static (string Namespace, string Name) SplitRef(string reference)
    {
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("default", reference) : (reference[..slash], reference[(slash + 1)..]);
    }
}
