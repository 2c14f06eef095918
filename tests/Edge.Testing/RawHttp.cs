using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Edge.Testing;

/// <summary>Raw HTTP/1.1 over a socket, for requests an HttpClient will not send (bad, huge or slow ones).</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> as is and returns what comes back until the server closes or goes quiet.</summary>
    public static async Task<string> SendAsync(int port, string request, TimeSpan? quiet = null) =>
        (await ExchangeAsync(port, request, quiet ?? TimeSpan.FromSeconds(5))).Text;

    /// <summary>As <see cref="SendAsync"/>, and whether the server closed the connection (false: it went quiet for <paramref name="quiet"/>).</summary>
    public static async Task<(string Text, bool Closed)> ExchangeAsync(int port, string request, TimeSpan quiet)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return await ReadUntilAsync(socket, quiet);
    }

    public static async Task<string> ReadAsync(Socket socket, TimeSpan quiet) => (await ReadUntilAsync(socket, quiet)).Text;

    /// <summary>Reads until the server closes, within <paramref name="timeout"/>; a reset is not a clean close and throws.</summary>
    public static async Task<string> ReadToCloseAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static async Task<(string Text, bool Closed)> ReadUntilAsync(Socket socket, TimeSpan quiet)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return (text.ToString(), false);
            }
            catch (SocketException)
            {
                return (text.ToString(), true); // reset by the server
            }

            if (read == 0)
            {
                return (text.ToString(), true);
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    /// <summary>The status codes of every response in <paramref name="responses"/> (a status line at the start of a line), in order.</summary>
    public static List<int> Statuses(string responses) =>
        [.. Regex.Matches(responses, @"^HTTP/1\.1 (\d{3}) ", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture))];

    /// <summary>The status code of the first response in <paramref name="response"/>, or 0 if there is none.</summary>
    public static int Status(string response) =>
        response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(response.AsSpan(9, 3), out var code) ? code : 0;
}
