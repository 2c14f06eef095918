using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Alb.Tests.Fixtures;

/// <summary>Raw HTTP/1.1 over TLS: requests written as they are, over one connection, the answers read as bytes.</summary>
internal static class RawTls
{
    /// <summary>A TLS connection to alb's HTTPS port naming <paramref name="sni"/>, offering <paramref name="alpn"/> (any certificate accepted).</summary>
    public static async Task<SslStream> ConnectAsync(int port, string sni, string alpn = "http/1.1", SslProtocols protocols = SslProtocols.None, int receiveBuffer = 0)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }

        await socket.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = [new SslApplicationProtocol(alpn)],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return ssl;
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and returns what comes back until alb closes or goes quiet.</summary>
    public static async Task<string> SendAsync(int port, string sni, string request, TimeSpan? quiet = null)
    {
        await using var ssl = await ConnectAsync(port, sni);
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await ReadAsync(ssl, quiet ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>What alb sends until it closes or sends nothing for <paramref name="quiet"/>.</summary>
    public static async Task<string> ReadAsync(SslStream ssl, TimeSpan quiet)
    {
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            int read;
            try
            {
                read = await ssl.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return text.ToString();
            }
            catch (IOException)
            {
                return text.ToString(); // reset
            }

            if (read == 0)
            {
                return text.ToString();
            }

            text.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }
    }
}
