using System.Globalization;
using System.Net;

namespace Alb.Cli;

/// <summary>Reads <c>--flag value</c> / <c>--flag=value</c> arguments, one at a time, with errors that name the flag.</summary>
internal sealed class ArgReader(string command, IReadOnlyList<string> args)
{
    private int _index;

    public bool TryNextFlag(out string flag, out string? inlineValue)
    {
        flag = "";
        inlineValue = null;
        if (_index >= args.Count)
        {
            return false;
        }

        var arg = args[_index++];
        if (!arg.StartsWith('-') || arg == "-")
        {
            flag = arg; // a positional argument
            return true;
        }

        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            flag = arg[..eq];
            inlineValue = arg[(eq + 1)..];
        }
        else
        {
            flag = arg;
        }

        return true;
    }

    public string Value(string flag, string? inlineValue)
    {
        if (inlineValue is not null)
        {
            return inlineValue;
        }

        if (_index >= args.Count || (args[_index].StartsWith("--", StringComparison.Ordinal) && args[_index].Length > 2))
        {
            throw new CommandLineException($"alb {command}: {flag} needs a value");
        }

        return args[_index++];
    }

    public static IPEndPoint ParseEndpoint(string command, string flag, string value)
    {
        // ADDR:PORT, [IPv6]:PORT, or :PORT for all addresses.
        var colon = value.LastIndexOf(':');
        if (colon < 0 ||
            !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
            port is < 0 or > 65535)
        {
            throw new CommandLineException($"alb {command}: {flag}: \"{value}\" is not ADDR:PORT (e.g. 0.0.0.0:8080, [::]:8080, 127.0.0.1:0)");
        }

        var host = value[..colon];
        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.Any, port);
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new CommandLineException($"alb {command}: {flag}: \"{host}\" is not an IP address");
        }

        return new IPEndPoint(address, port);
    }

    public static string ParseObjectRef(string command, string flag, string value)
    {
        var parts = value.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || !IsDnsName(parts[0]) || !IsDnsName(parts[1]))
        {
            throw new CommandLineException($"alb {command}: {flag}: \"{value}\" is not NAMESPACE/NAME");
        }

        return value;
    }

    public static bool IsDnsName(string value) =>
        value.Length <= 253 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') &&
        value[0] != '-' && value[^1] != '-';
}
