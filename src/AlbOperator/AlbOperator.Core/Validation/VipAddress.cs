using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AlbOperator.Core.Validation;

/// <summary><c>spec.vip.address</c>: <c>ADDRESS[/PREFIX]</c>, as vipd's <c>addresses</c> take it.</summary>
public static class VipAddress
{
    public static bool TryParse(string text, out (IPAddress Address, int Prefix) value, out string? problem)
    {
        value = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address) || text.Contains('%', StringComparison.Ordinal))
        {
            problem = $"\"{text}\" is not ADDRESS[/PREFIX] (e.g. 192.0.2.100/32)";
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 1 || prefix > max))
        {
            problem = $"the prefix of \"{text}\" must be 1-{max}";
            return false;
        }

        value = (address, prefix);
        problem = null;
        return true;
    }
}
