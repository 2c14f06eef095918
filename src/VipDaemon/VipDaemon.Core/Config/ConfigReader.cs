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

        var reader = new ConfigNode(root, "", errors);
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

    private static InstanceSettings? ReadInstance(ConfigNode node, List<string> errors)
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

        if (!settings.Accept)
        {
            // Refused rather than ignored: a master always accepts traffic to its addresses for now.
            node.Error("accept", "false (keepalived's no_accept) is not supported yet; a vipd master accepts traffic to its addresses");
        }

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

    private static TrackerSettings Tracker(ConfigNode t, TrackerKind kind)
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
}
