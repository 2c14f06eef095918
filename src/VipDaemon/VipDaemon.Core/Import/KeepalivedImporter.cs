using System.Globalization;
using System.Text;

namespace VipDaemon.Core.Import;

/// <summary>
/// Converts the common parts of keepalived.conf (<c>vrrp_instance</c>, <c>vrrp_script</c>, <c>track_interface</c>,
/// <c>track_script</c>, unicast, notify, <c>global_defs vrrp_version</c>) into vipd YAML, and lists what it could not
/// convert with the line it came from. The YAML is then checked by <c>vipd check</c> like any other config.
/// </summary>
public static class KeepalivedImporter
{
    public sealed record Result(string Yaml, IReadOnlyList<string> NotConverted);

    public static Result Convert(string keepalivedConf)
    {
        var notes = new List<string>();
        var statements = KeepalivedConf.Parse(keepalivedConf, notes);
        var defaultVersion = 2; // keepalived's default for IPv4
        var scripts = new Dictionary<string, KeepalivedStatement>(StringComparer.Ordinal);
        foreach (var s in statements)
        {
            switch (s.Keyword)
            {
                case "global_defs":
                    foreach (var g in s.Block)
                    {
                        if (g.Keyword == "vrrp_version" && g.Arguments.Count == 1 && int.TryParse(g.Arguments[0], CultureInfo.InvariantCulture, out var v))
                        {
                            defaultVersion = v;
                        }
                        else if (g.Keyword is not ("router_id" or "enable_script_security" or "script_user" or "notification_email" or "notification_email_from" or "smtp_server" or "smtp_connect_timeout"))
                        {
                            notes.Add($"line {g.Line}: global_defs {g.Keyword} is not converted");
                        }
                    }

                    break;
                case "vrrp_script":
                    if (s.Arguments.Count == 1)
                    {
                        scripts[s.Arguments[0]] = s;
                    }

                    break;
                case "vrrp_instance":
                    break;
                default:
                    notes.Add($"line {s.Line}: {s.Keyword} is not converted (vipd does VRRP only)");
                    break;
            }
        }

        var yaml = new StringBuilder();
        yaml.AppendLine("# Converted from keepalived.conf by vipd import-keepalived; check it with: vipd check FILE");
        yaml.AppendLine("instances:");
        foreach (var instance in statements.Where(s => s.Keyword == "vrrp_instance"))
        {
            WriteInstance(instance, defaultVersion, scripts, yaml, notes);
        }

        return new Result(yaml.ToString(), notes);
    }

    private static void WriteInstance(KeepalivedStatement instance, int defaultVersion, Dictionary<string, KeepalivedStatement> scripts, StringBuilder yaml, List<string> notes)
    {
        string? Arg(string keyword) => FirstArgument(instance.Block, keyword);
        var name = instance.Arguments.FirstOrNull() ?? $"line{instance.Line}";
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - name: {Quote(name)}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    interface: {Quote(Arg("interface") ?? "MISSING")}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    vrid: {Arg("virtual_router_id") ?? "MISSING"}");

        var addresses = instance.Block.Where(b => b.Keyword == "virtual_ipaddress").SelectMany(b => b.Block).ToList();
        var ipv6 = addresses.Any(a => a.Keyword.Contains(':', StringComparison.Ordinal));
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    version: {Arg("version") ?? (ipv6 ? "3" : defaultVersion.ToString(CultureInfo.InvariantCulture))}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    priority: {Arg("priority") ?? "100"}");
        if (Arg("advert_int") is { } interval)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    advertInterval: {interval}s");
        }

        yaml.AppendLine("    addresses:");
        foreach (var a in addresses)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      - {Quote(a.Keyword)}");
            if (a.Arguments.Count > 0 && !(a.Arguments.Count == 2 && a.Arguments[0] == "dev" && a.Arguments[1] == Arg("interface")))
            {
                notes.Add($"line {a.Line}: options \"{string.Join(' ', a.Arguments)}\" of {a.Keyword} are not converted (vipd adds every address to the instance's interface)");
            }
        }

        foreach (var b in instance.Block)
        {
            switch (b.Keyword)
            {
                case "interface" or "virtual_router_id" or "priority" or "advert_int" or "virtual_ipaddress" or "version":
                    break;
                case "state":
                    if (b.Arguments.FirstOrNull() == "MASTER")
                    {
                        notes.Add($"line {b.Line}: state MASTER is only a wish in keepalived too; vipd always starts as backup (unless priority 255)");
                    }

                    break;
                case "nopreempt":
                    yaml.AppendLine("    preempt: false");
                    break;
                case "preempt_delay":
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"    preemptDelay: {b.Arguments.FirstOrNull()}s");
                    break;
                case "no_accept":
                    notes.Add($"line {b.Line}: no_accept is not converted: a vipd master accepts traffic to its addresses");
                    break;
                case "accept":
                    yaml.AppendLine("    accept: true");
                    break;
                case "unicast_src_ip" or "unicast_peer" or "track_interface" or "track_script":
                    break; // written below, after the scalar settings
                case "notify":
                    var command = b.Arguments.FirstOrNull() ?? "";
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"    notify: {{command: {Quote(command.Split(' ')[0])}}}");
                    if (command.Contains(' ', StringComparison.Ordinal))
                    {
                        notes.Add($"line {b.Line}: notify arguments \"{command}\" are not converted; vipd passes the instance, name, state and priority as keepalived does");
                    }

                    break;
                case "garp_master_repeat":
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"    garp: {{count: {b.Arguments.FirstOrNull()}}}");
                    break;
                case "authentication":
                    notes.Add($"line {b.Line}: authentication is not converted: RFC 5798 removed it, and it only guards against misconfiguration");
                    break;
                default:
                    notes.Add($"line {b.Line}: {b.Keyword} in vrrp_instance {name} is not converted");
                    break;
            }
        }

        var source = Arg("unicast_src_ip");
        var peers = instance.Block.Where(b => b.Keyword == "unicast_peer").SelectMany(b => b.Block).Select(p => p.Keyword).ToList();
        if (peers.Count > 0)
        {
            yaml.AppendLine("    unicast:");
            if (source is not null)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      source: {source}");
            }

            yaml.AppendLine(CultureInfo.InvariantCulture, $"      peers: [{string.Join(", ", peers)}]");
        }

        var interfaces = instance.Block.Where(b => b.Keyword == "track_interface").SelectMany(b => b.Block).ToList();
        var trackScripts = instance.Block.Where(b => b.Keyword == "track_script").SelectMany(b => b.Block).ToList();
        if (interfaces.Count + trackScripts.Count == 0)
        {
            return;
        }

        yaml.AppendLine("    track:");
        if (interfaces.Count > 0)
        {
            yaml.AppendLine("      interfaces:");
            foreach (var i in interfaces)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"        - {{name: {Quote(i.Keyword)}, weight: {WeightOf(i.Arguments) ?? "0"}}}");
            }
        }

        if (trackScripts.Count > 0)
        {
            yaml.AppendLine("      exec:");
            foreach (var t in trackScripts)
            {
                if (!scripts.TryGetValue(t.Keyword, out var script))
                {
                    notes.Add($"line {t.Line}: track_script {t.Keyword} names no vrrp_script");
                    continue;
                }

                string? S(string keyword) => FirstArgument(script.Block, keyword);
                var command = (S("script") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var weight = WeightOf(t.Arguments) ?? S("weight") ?? "0";
                yaml.Append(CultureInfo.InvariantCulture, $"        - {{name: {Quote(t.Keyword)}, command: [{string.Join(", ", command.Select(Quote))}], weight: {weight}");
                foreach (var k in new[] { "interval", "timeout" })
                {
                    if (S(k) is { } value)
                    {
                        yaml.Append(CultureInfo.InvariantCulture, $", {k}: {value}s");
                    }
                }

                foreach (var k in new[] { "rise", "fall" })
                {
                    if (S(k) is { } value)
                    {
                        yaml.Append(CultureInfo.InvariantCulture, $", {k}: {value}");
                    }
                }

                yaml.AppendLine("}");
                foreach (var other in script.Block.Where(b => b.Keyword is not ("script" or "interval" or "timeout" or "weight" or "rise" or "fall")))
                {
                    notes.Add($"line {other.Line}: vrrp_script {t.Keyword} {other.Keyword} is not converted");
                }
            }
        }
    }

    /// <summary>The first argument of the first statement named <paramref name="keyword"/> in a block.</summary>
    private static string? FirstArgument(IReadOnlyList<KeepalivedStatement> block, string keyword) =>
        block.FirstOrDefault(b => b.Keyword == keyword)?.Arguments.FirstOrNull();

    private static string? WeightOf(IReadOnlyList<string> args)
    {
        var i = args.ToList().IndexOf("weight");
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':') && !value.Contains(": ", StringComparison.Ordinal)
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

internal static class ArgumentExtensions
{
    public static string? FirstOrNull(this IReadOnlyList<string> arguments) => arguments.Count > 0 ? arguments[0] : null;
}
