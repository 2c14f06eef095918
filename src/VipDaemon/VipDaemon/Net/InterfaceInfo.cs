using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace VipDaemon.Net;

/// <summary>What vipd needs to know of an interface: index, MAC, primary IPv4 address, link state.</summary>
internal sealed record InterfaceInfo(string Name, int Index, PhysicalAddress Mac, IPAddress? PrimaryIpv4)
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
        return new InterfaceInfo(name, (int)Libc.if_nametoindex(name), nic.GetPhysicalAddress(), primary);
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
