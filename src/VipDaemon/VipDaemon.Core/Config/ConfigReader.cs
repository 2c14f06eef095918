using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VipDaemon.Core.Packets;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VipDaemon.Core.Config;

/// <summary>
/// Reads a vipd YAML config. Collects every error (with its path, e.g. <c>instances[0].priority</c>) instead of
/// stopping at the first; unknown keys are errors too, since a typo in a failover setting must not pass silently.
/// </summary>
public static class ConfigReader
{
    public static (VipdConfig? Config, IReadOnlyList<string> Errors) Read(string yaml)
    {
        var errors = new List<string>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                return (null, ["(root): the config must be one YAML mapping"]);
            }

            root = map;
        }
        catch (YamlException e)
        {
            return (null, [$"line {e.Start.Line}: {e.Message.ReplaceLineEndings(" ")}"]);
        }

        var reader = new Node(root, "", errors);
        reader.OnlyKeys("admin", "instances");
        var admin = reader.Endpoint("admin", new IPEndPoint(IPAddress.Loopback, 9105));
        var instances = new List<InstanceSettings>();
        var items = reader.Sequence("instances", required: true);
        for (var i = 0; i < items.Count; i++)
        {
            if (ReadInstance(items[i], errors) is { } instance)
            {
                instances.Add(instance);
            }
        }

        foreach (var dup in instances.GroupBy(i => i.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"instances: name \"{dup.Key}\" is used more than once");
        }

        foreach (var dup in instances.GroupBy(i => (i.Interface, i.Vrid, i.IsIpv6)).Where(g => g.Count() > 1))
        {
            errors.Add($"instances: VRID {dup.Key.Vrid} is used twice on {dup.Key.Interface} ({string.Join(", ", dup.Select(d => d.Name))})");
        }

        return errors.Count == 0 ? (new VipdConfig(admin!, instances), errors) : (null, errors);
    }

    private static InstanceSettings? ReadInstance(Node node, List<string> errors)
    {
        var before = errors.Count;
        node.OnlyKeys("name", "interface", "vrid", "version", "priority", "advertInterval", "addresses", "preempt", "preemptDelay",
            "accept", "checksum", "unicast", "garp", "track", "notify");
        var name = node.String("name", required: true) ?? "";
        var iface = node.String("interface", required: true) ?? "";
        var vrid = node.Int("vrid", 1, 255, required: true);
        var version = node.Int("version", 2, 3, fallback: 3);
        var priority = node.Int("priority", 1, 255, fallback: 100);
        var interval = node.Duration("advertInterval", TimeSpan.FromSeconds(1));
        var addresses = node.Sequence("addresses", required: true).Select(a => a.Cidr()).Where(a => a is not null).Select(a => a!).ToList();

        var centis = (int)Math.Round(interval.TotalMilliseconds / 10);
        if (version == 3 && (centis < 1 || centis > 4095))
        {
            node.Error("advertInterval", $"{interval.TotalMilliseconds} ms is outside VRRPv3's 10 ms to 40.95 s");
        }
        else if (version == 2 && (interval.TotalMilliseconds % 1000 != 0 || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(255)))
        {
            node.Error("advertInterval", $"VRRPv2 carries whole seconds (1-255 s); {interval.TotalMilliseconds} ms cannot be sent");
        }

        if (addresses.Count > 0)
        {
            var family = addresses[0].Address.AddressFamily;
            if (addresses.Any(a => a.Address.AddressFamily != family))
            {
                node.Error("addresses", "mixes IPv4 and IPv6; use one instance per family, as VRRP does");
            }

            if (family == AddressFamily.InterNetworkV6 && version == 2)
            {
                node.Error("version", "VRRPv2 is IPv4 only; IPv6 instances use version 3");
            }
        }

        var settings = new InstanceSettings(name, iface, (byte)vrid, version, (byte)priority, centis, addresses)
        {
            Preempt = node.Bool("preempt", true),
            PreemptDelay = node.Duration("preemptDelay", TimeSpan.Zero, max: TimeSpan.FromSeconds(1000)),
            Accept = node.Bool("accept", true),
            Checksum = node.Enum("checksum", V3Checksum.PseudoHeader, ("pseudo-header", V3Checksum.PseudoHeader), ("message-only", V3Checksum.MessageOnly)),
        };

        if (node.Child("unicast") is { } unicast)
        {
            unicast.OnlyKeys("source", "peers");
            settings = settings with
            {
                UnicastSource = unicast.Address("source"),
                UnicastPeers = unicast.Sequence("peers", required: true).Select(p => p.AsAddress()).Where(p => p is not null).Select(p => p!).ToList(),
            };
        }

        if (node.Child("garp") is { } garp)
        {
            garp.OnlyKeys("count", "interval", "refresh");
            settings = settings with
            {
                Garp = new GarpSettings
                {
                    Count = garp.Int("count", 1, 100, fallback: 5),
                    Interval = garp.Duration("interval", TimeSpan.FromMilliseconds(10), max: TimeSpan.FromSeconds(10)),
                    Refresh = garp.Duration("refresh", TimeSpan.Zero, max: TimeSpan.FromHours(24)),
                },
            };
        }

        if (node.Child("track") is { } track)
        {
            track.OnlyKeys("interfaces", "http", "exec");
            var trackers = new List<TrackerSettings>();
            trackers.AddRange(track.Sequence("interfaces").Select(t => Tracker(t, TrackerKind.Interface)));
            trackers.AddRange(track.Sequence("http").Select(t => Tracker(t, TrackerKind.Http)));
            trackers.AddRange(track.Sequence("exec").Select(t => Tracker(t, TrackerKind.Exec)));
            settings = settings with { Trackers = trackers };
        }

        if (node.Child("notify") is { } notify)
        {
            notify.OnlyKeys("command", "timeout");
            var command = notify.String("command", required: true);
            if (command is not null && !command.StartsWith('/'))
            {
                notify.Error("command", $"\"{command}\" must be an absolute path");
            }

            settings = settings with { Notify = new NotifySettings(command ?? "", notify.Duration("timeout", TimeSpan.FromSeconds(5), max: TimeSpan.FromMinutes(5))) };
        }

        return errors.Count == before ? settings : null;
    }

    private static TrackerSettings Tracker(Node t, TrackerKind kind)
    {
        t.OnlyKeys(kind switch
        {
            TrackerKind.Interface => ["name", "weight"],
            TrackerKind.Http => ["name", "url", "interval", "timeout", "rise", "fall", "weight"],
            _ => ["name", "command", "interval", "timeout", "rise", "fall", "weight"],
        });
        var name = t.String("name", required: true) ?? "";
        var weight = t.Int("weight", -253, 253, fallback: 0);
        var tracker = new TrackerSettings(name, kind, weight)
        {
            Interval = t.Duration("interval", TimeSpan.FromSeconds(1), max: TimeSpan.FromHours(1)),
            Timeout = t.Duration("timeout", TimeSpan.FromSeconds(1), max: TimeSpan.FromMinutes(5)),
            Rise = t.Int("rise", 1, 100, fallback: 1),
            Fall = t.Int("fall", 1, 100, fallback: 1),
        };
        switch (kind)
        {
            case TrackerKind.Interface:
                return tracker with { Interface = name };
            case TrackerKind.Http:
                var url = t.String("url", required: true);
                if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                {
                    t.Error("url", $"\"{url}\" is not an http(s) URL");
                    return tracker;
                }

                return tracker with { Url = url is null ? null : new Uri(url) };
            default:
                var command = t.Sequence("command", required: true).Select(c => c.AsString()).ToList();
                if (command.Count > 0 && !command[0].StartsWith('/'))
                {
                    t.Error("command", $"\"{command[0]}\" must be an absolute path");
                }

                return tracker with { Command = command };
        }
    }

    /// <summary>A YAML node with its path, and readers that record errors instead of throwing.</summary>
    private sealed class Node(YamlNode node, string path, List<string> errors)
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

        public Node? Child(string key) => Get(key) is { } child ? new Node(child, At(key), errors) : null;

        public List<Node> Sequence(string key, bool required = false)
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

            return [.. seq.Children.Select((c, i) => new Node(c, $"{At(key)}[{i}]", errors))];
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

        public int Int(string key, int min, int max, int fallback = 0, bool required = false)
        {
            var text = String(key, required);
            if (text is null)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                Error(key, $"\"{text}\" is not a whole number in {min}-{max}");
                return fallback;
            }

            return n;
        }

        public bool Bool(string key, bool fallback)
        {
            var text = String(key);
            if (text is null)
            {
                return fallback;
            }

            if (bool.TryParse(text, out var b))
            {
                return b;
            }

            Error(key, $"\"{text}\" is not true or false");
            return fallback;
        }

        public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan? max = null)
        {
            var text = String(key);
            if (text is null)
            {
                return fallback;
            }

            if (!Durations.TryParse(text, out var value) || value < TimeSpan.Zero || (max is { } m && value > m))
            {
                Error(key, $"\"{text}\" is not a duration{(max is { } limit ? $" up to {limit.TotalSeconds} s" : "")} (e.g. 1s, 100ms, 20ms)");
                return fallback;
            }

            return value;
        }

        public T Enum<T>(string key, T fallback, params (string Name, T Value)[] values)
        {
            var text = String(key);
            if (text is null)
            {
                return fallback;
            }

            foreach (var (name, value) in values)
            {
                if (name == text)
                {
                    return value;
                }
            }

            Error(key, $"\"{text}\" is not one of {string.Join(", ", values.Select(v => v.Name))}");
            return fallback;
        }

        public IPAddress? Address(string key)
        {
            var text = String(key);
            if (text is null)
            {
                return null;
            }

            if (IPAddress.TryParse(text, out var address))
            {
                return address;
            }

            Error(key, $"\"{text}\" is not an IP address");
            return null;
        }

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
}
