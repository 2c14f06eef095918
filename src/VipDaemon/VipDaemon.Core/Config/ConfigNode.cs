using System.Globalization;
using System.Net;
using System.Net.Sockets;
using YamlDotNet.RepresentationModel;

namespace VipDaemon.Core.Config;

/// <summary>A YAML node with its path, and readers that record errors instead of throwing.</summary>
internal sealed class ConfigNode(YamlNode node, string path, List<string> errors)
{
    private string At(string key) => path.Length == 0 ? key : $"{path}.{key}";

    public void Error(string key, string message) => errors.Add($"{At(key)}: {message}");

    private YamlNode? Get(string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public void OnlyKeys(params string[] keys)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add($"{(path.Length == 0 ? "(root)" : path)}: must be a mapping");
            return;
        }

        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? ""))
        {
            if (!keys.Contains(key))
            {
                errors.Add($"{At(key)}: unknown key (known: {string.Join(", ", keys)})");
            }
        }
    }

    public ConfigNode? Child(string key) => Get(key) is { } child ? new ConfigNode(child, At(key), errors) : null;

    public List<ConfigNode> Sequence(string key, bool required = false)
    {
        var value = Get(key);
        if (value is null)
        {
            if (required)
            {
                Error(key, "is required");
            }

            return [];
        }

        if (value is not YamlSequenceNode seq)
        {
            Error(key, "must be a list");
            return [];
        }

        if (required && seq.Children.Count == 0)
        {
            Error(key, "must not be empty");
        }

        return [.. seq.Children.Select((c, i) => new ConfigNode(c, $"{At(key)}[{i}]", errors))];
    }

    public string? String(string key, bool required = false)
    {
        var value = Get(key);
        if (value is YamlScalarNode { Value: { Length: > 0 } text })
        {
            return text;
        }

        if (value is not null || required)
        {
            Error(key, value is null ? "is required" : "must be a non-empty string");
        }

        return null;
    }

    public string AsString()
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            return text;
        }

        errors.Add($"{path}: must be a string");
        return "";
    }

    /// <summary>
    /// The one shape of every scalar reader: absent → <paramref name="fallback"/>; present and parsed → the value;
    /// present and bad → an error naming the key and <paramref name="fallback"/>.
    /// </summary>
    private T Scalar<T>(string key, T fallback, bool required, TryParseText<T> parse, Func<string, string> complaint)
    {
        var text = String(key, required);
        if (text is null)
        {
            return fallback;
        }

        if (parse(text, out var value))
        {
            return value;
        }

        Error(key, complaint(text));
        return fallback;
    }

    private delegate bool TryParseText<T>(string text, out T value);

    public int Int(string key, int min, int max, int fallback = 0, bool required = false) =>
        Scalar(key, fallback, required,
            (string t, out int n) => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n) && n >= min && n <= max,
            t => $"\"{t}\" is not a whole number in {min}-{max}");

    public bool Bool(string key, bool fallback) =>
        Scalar(key, fallback, false, bool.TryParse, t => $"\"{t}\" is not true or false");

    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan? max = null) =>
        Scalar(key, fallback, false,
            (string t, out TimeSpan v) => Durations.TryParse(t, out v) && v >= TimeSpan.Zero && (max is not { } m || v <= m),
            t => $"\"{t}\" is not a duration{(max is { } limit ? $" up to {limit.TotalSeconds} s" : "")} (e.g. 1s, 100ms, 20ms)");

    public T Enum<T>(string key, T fallback, params (string Name, T Value)[] values) =>
        Scalar(key, fallback, false,
            (string t, out T v) =>
            {
                foreach (var (name, value) in values)
                {
                    if (name == t)
                    {
                        v = value;
                        return true;
                    }
                }

                v = fallback;
                return false;
            },
            t => $"\"{t}\" is not one of {string.Join(", ", values.Select(v => v.Name))}");

    public IPAddress? Address(string key) =>
        Scalar<IPAddress?>(key, null, false, (string t, out IPAddress? a) => IPAddress.TryParse(t, out a), t => $"\"{t}\" is not an IP address");

    public IPAddress? AsAddress()
    {
        var text = AsString();
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        errors.Add($"{path}: \"{text}\" is not an IP address");
        return null;
    }

    public VirtualAddress? Cidr()
    {
        var text = AsString();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            errors.Add($"{path}: \"{text}\" is not ADDRESS[/PREFIX]");
            return null;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 1 || prefix > max))
        {
            errors.Add($"{path}: prefix in \"{text}\" must be 1-{max}");
            return null;
        }

        return new VirtualAddress(address, prefix);
    }

    public IPEndPoint? Endpoint(string key, IPEndPoint fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0)
        {
            return endpoint;
        }

        Error(key, $"\"{text}\" is not ADDRESS:PORT");
        return fallback;
    }
}
