using System.Net;
using System.Net.Sockets;

namespace Edge.Testing;

/// <summary>
/// A loopback TCP relay in front of a real server, for faults a test needs at a chosen moment: <see cref="Hold"/>
/// stops passing bytes on every connection (a server that hangs mid-request), <see cref="Refuse"/> resets every
/// connection and each new one (a server that is down), <see cref="Pass"/> returns to normal and releases what was held.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly Task _accepting;
    private TaskCompletionSource _open = Opened();
    private bool _refusing;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes that passed the relay, both ways.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    private long _relayed;

    public void Hold()
    {
        lock (_pairs)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Refuse()
    {
        lock (_pairs)
        {
            _refusing = true;
            foreach (var (client, server) in _pairs)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                server.Dispose();
            }

            _pairs.Clear();
        }
    }

    public void Pass()
    {
        lock (_pairs)
        {
            _refusing = false;
            _open.TrySetResult();
        }
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            bool refuse;
            lock (_pairs)
            {
                refuse = _refusing;
            }

            if (refuse)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((client, server));
            }

            _ = PumpAsync(client.GetStream(), server.GetStream(), client, server);
            _ = PumpAsync(server.GetStream(), client.GetStream(), client, server);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, TcpClient client, TcpClient server)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                Task open;
                lock (_pairs)
                {
                    open = _open.Task;
                }

                await open.WaitAsync(_stop.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                Interlocked.Add(ref _relayed, read);
            }
        }
        catch (Exception)
        {
            // A reset or a disposed pair ends the connection both ways.
        }

        client.Dispose();
        server.Dispose();
        lock (_pairs)
        {
            _pairs.Remove((client, server));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                client.Dispose();
                server.Dispose();
            }
        }

        _stop.Dispose();
    }
}
