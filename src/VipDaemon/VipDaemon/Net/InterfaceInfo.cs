using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace VipDaemon.Net;

/// <summary>What vipd needs to know of an interface: index, MAC, primary IPv4 and link-local IPv6 addresses, link state.</summary>
internal sealed record InterfaceInfo(string Name, int Index, PhysicalAddress Mac, IPAddress? PrimaryIpv4, IPAddress? LinkLocalIpv6)
{
    public static InterfaceInfo? Find(string name, IEnumerable<IPAddress> exclude)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
        if (nic is null)
        {
            return null;
        }

        var excluded = exclude.ToHashSet();
        var primary = nic.GetIPProperties().UnicastAddresses
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !excluded.Contains(a));
        // VRRPv3 over IPv6 sends from (and breaks ties by) the link-local address (RFC 5798 §5.1.2.1).
        var linkLocal = nic.GetIPProperties().UnicastAddresses
            .Select(u => u.Address)
            .FirstOrDefault(a => a.IsIPv6LinkLocal && !excluded.Contains(a));
        if (linkLocal is not null)
        {
            linkLocal = new IPAddress(linkLocal.GetAddressBytes()); // without the scope id, as it appears on the wire
        }

        return new InterfaceInfo(name, (int)Libc.if_nametoindex(name), nic.GetPhysicalAddress(), primary, linkLocal);
    }

    /// <summary>Link up: the carrier is present (/sys/class/net/NAME/carrier), as keepalived's track_interface reads it.</summary>
    public static bool IsUp(string name)
    {
        try
        {
            return File.ReadAllText($"/sys/class/net/{name}/carrier").Trim() == "1" &&
                   File.ReadAllText($"/sys/class/net/{name}/operstate").Trim() is "up" or "unknown";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
