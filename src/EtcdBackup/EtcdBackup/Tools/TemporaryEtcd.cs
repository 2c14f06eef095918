using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;

namespace EtcdBackup.Tools;

/// <summary>
/// A single-member etcd of our own on loopback: a snapshot restored with etcd's own tool into a temporary data dir
/// and served from there (deep verification reads it back, point-in-time restore replays deltas into it). Its limits
/// are raised so one source revision (a delete of a large prefix, say) fits one transaction. Disposing kills it and
/// removes everything.
/// </summary>
internal sealed class TemporaryEtcd : IAsyncDisposable
{
    private readonly DirectoryInfo _work;
    private readonly Process? _process;
    private readonly Task<string>? _errors;

    private TemporaryEtcd(DirectoryInfo work, Process? process, Task<string>? errors, Uri client)
    {
        _work = work;
        _process = process;
        _errors = errors;
        Channel = GrpcChannel.ForAddress(client, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
    }

    public const int MaxTxnOps = 100_000;
    public const int MaxRequestBytes = 64 << 20;

    public GrpcChannel Channel { get; }

    public KV.KVClient Kv => new(Channel);

    /// <summary>Restores <paramref name="snapshotFile"/> and starts etcd on it; the restore tool's failure is an <see cref="InvalidOperationException"/>.</summary>
    public static async Task<TemporaryEtcd> StartAsync(EtcdRestoreTool tool, string etcdBinary, string snapshotFile, string name, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory($"etcd-backup-{name}-");
        var dataDir = Path.Combine(work.FullName, "data");
        var (clientPort, peerPort) = (FreePort(), FreePort());
        var peer = $"http://127.0.0.1:{peerPort}";
        var client = $"http://127.0.0.1:{clientPort}";
        try
        {
            await tool.RunAsync(EtcdRestoreTool.Arguments(snapshotFile, dataDir, name, $"{name}={peer}", peer, null), ct).ConfigureAwait(false);
            var process = Process.Start(new ProcessStartInfo(etcdBinary)
            {
                ArgumentList =
                {
                    "--name", name, "--data-dir", dataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"{name}={peer}",
                    "--quota-backend-bytes", "8589934592", "--max-txn-ops", $"{MaxTxnOps}", "--max-request-bytes", $"{MaxRequestBytes}",
                    "--log-level", "error",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException($"cannot start {etcdBinary}");
            _ = process.StandardOutput.ReadToEndAsync(ct);
            return new TemporaryEtcd(work, process, process.StandardError.ReadToEndAsync(ct), new Uri(client));
        }
        catch
        {
            work.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Waits (up to 60 s) until it answers; its revision and key count. <see cref="TimeoutException"/> when it does not.</summary>
    public async Task<(long Revision, long Keys)> ReadBackAsync(CancellationToken ct)
    {
        var all = ByteString.CopyFrom(0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var response = await Kv.RangeAsync(new RangeRequest { Key = all, RangeEnd = all, CountOnly = true },
                    deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct).ConfigureAwait(false);
                return (response.Header.Revision, response.Count);
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (Grpc.Core.RpcException)
            {
                throw new TimeoutException($"the temporary etcd did not answer within 60 s: {await TailAsync().ConfigureAwait(false)}");
            }
        }
    }

    /// <summary>Saves its data as an etcd snapshot file (with etcd's SHA-256 tail, as etcd's restore tools expect).</summary>
    public async Task SaveSnapshotAsync(string file, CancellationToken ct)
    {
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        using var call = new Maintenance.MaintenanceClient(Channel).Snapshot(new SnapshotRequest(), cancellationToken: ct);
        while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
        {
            await output.WriteAsync(call.ResponseStream.Current.Blob.Memory, ct).ConfigureAwait(false);
        }
    }

    private async Task<string> TailAsync()
    {
        if (_process is not { HasExited: true } || _errors is null)
        {
            return "still starting";
        }

        var text = await _errors.ConfigureAwait(false);
        return string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            _process.Dispose();
        }

        _work.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
