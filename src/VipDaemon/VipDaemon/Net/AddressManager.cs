using System.Net.NetworkInformation;
using VipDaemon.Core.Config;

namespace VipDaemon.Net;

/// <summary>
/// The virtual addresses on an interface: added and removed through rtnetlink (<see cref="Netlink"/>; iproute2 was
/// used before and cost 15–23 ms per change in process start-up, a visible part of a 100 ms failover), read back
/// through .NET's interface list.
/// </summary>
internal static class AddressManager
{
    public static void Add(string interfaceName, VirtualAddress address) => Netlink.Add(interfaceName, address);

    public static void Remove(string interfaceName, VirtualAddress address) => Netlink.Remove(interfaceName, address);

    public static bool IsPresent(string interfaceName, VirtualAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(i => i.Name == interfaceName)?
            .GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address.Address)) ?? false;
}
