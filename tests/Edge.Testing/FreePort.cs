using System.Net;
using System.Net.Sockets;

namespace Edge.Testing;

/// <summary>Ports for test servers: asks the kernel for an unused loopback port.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
