using System.Net;
using System.Net.Sockets;

namespace Edge.Testing;

/// <summary>
/// Ports for test servers: asks the kernel for an unused loopback port, never the same one twice in a test run (the
/// kernel may hand a released port out again while the test that got it first still means to bind it).
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
