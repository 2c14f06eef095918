using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Alb.Tests.Fixtures;

/// <summary>What a <see cref="ScriptedBackend"/> does on its first connection once the scripted answer is sent.</summary>
internal enum AfterScript
{
    /// <summary>Keeps the connection open and answers nothing more on it.</summary>
    Hold,

    /// <summary>Closes the connection.</summary>
    Close,

    /// <summary>Answers every later request on it correctly.</summary>
    Serve,
}

/// <summary>
/// A backend on a raw <see cref="TcpListener"/>: the first request of its first connection gets hand-written bytes
/// (sent in pieces, 150 ms apart); every other request gets <see cref="Ok"/> (keep-alive). It counts the connections it
/// accepted and the ones still open (a connection counts as closed once the peer closed it).
/// </summary>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    public static readonly byte[] Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[][] _script;
    private readonly AfterScript _after;
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _accepted;
    private int _open;

    private ScriptedBackend(byte[][] script, AfterScript after)
    {
        _script = script;
        _after = after;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public int Open => Volatile.Read(ref _open);

    /// <summary>A backend that answers every request with <see cref="Ok"/>.</summary>
    public static ScriptedBackend Healthy() => new([], AfterScript.Serve);

    /// <summary>A backend whose first answer is <paramref name="pieces"/> (Latin-1), then does <paramref name="after"/>.</summary>
    public static ScriptedBackend Scripted(AfterScript after, params string[] pieces) =>
        new([.. pieces.Select(p => Encoding.Latin1.GetBytes(p))], after);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var index = Interlocked.Increment(ref _accepted) - 1;
            Interlocked.Increment(ref _open);
            lock (_sockets)
            {
                _sockets.Add(socket);
            }

            _ = ServeAsync(socket, scripted: index == 0 && _script.Length > 0);
        }
    }

    private async Task ServeAsync(Socket socket, bool scripted)
    {
        var buffer = new byte[16 * 1024];
        var pending = new StringBuilder();
        var answering = true;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    pending.Remove(0, end + 4); // requests without a body
                    if (!answering)
                    {
                        continue;
                    }

                    if (!scripted)
                    {
                        await socket.SendAsync(Ok, SocketFlags.None, _stop.Token);
                        continue;
                    }

                    scripted = false;
                    for (var i = 0; i < _script.Length; i++)
                    {
                        if (i > 0)
                        {
                            await Task.Delay(150, _stop.Token);
                        }

                        await socket.SendAsync(_script[i], SocketFlags.None, _stop.Token);
                    }

                    if (_after == AfterScript.Close)
                    {
                        return;
                    }

                    answering = _after == AfterScript.Serve;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }
}
