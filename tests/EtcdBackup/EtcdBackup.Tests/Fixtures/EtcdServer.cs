using Edge.Testing;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>A real etcd (Debian's etcd-server) on loopback ports in a temporary data dir, killed on dispose.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly string[] _arguments;
    private TestProcess _process;

    private EtcdServer(TestProcess process, string[] arguments, string dataDir, Uri client)
    {
        _process = process;
        _arguments = arguments;
        DataDir = dataDir;
        Client = client;
        _channel = GrpcChannel.ForAddress(client);
    }

    public KV.KVClient Kv => new(_channel);

    /// <summary>Starts the members of one cluster (one data dir each under <paramref name="root"/>), all at once.</summary>
    public static async Task<IReadOnlyList<EtcdServer>> StartClusterAsync(string root, int members)
    {
        var peers = Enumerable.Range(0, members).Select(i => (Name: $"m{i}", Peer: FreePort.Next())).ToList();
        var initial = string.Join(",", peers.Select(p => $"{p.Name}=http://127.0.0.1:{p.Peer}"));
        return await Task.WhenAll(peers.Select(p => StartAsync(Path.Combine(root, p.Name), p.Name, initial, peerPort: p.Peer)));
    }

    public string DataDir { get; }

    public Uri Client { get; }

    public string Endpoint => Client.ToString().TrimEnd('/');

    public static async Task<EtcdServer> StartAsync(string dataDir, string name = "default", string? initialCluster = null, int? clientPort = null, int? peerPort = null)
    {
        var clientUrl = $"http://127.0.0.1:{clientPort ?? FreePort.Next()}";
        var client = new Uri(clientUrl);
        var peer = $"http://127.0.0.1:{peerPort ?? FreePort.Next()}";
        string[] arguments =
        [
            "--name", name, "--data-dir", dataDir, "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster ?? $"{name}={peer}",
            "--log-level", "warn",
        ];
        var server = new EtcdServer(TestProcess.Start("etcd", arguments), arguments, dataDir, client);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Kills the member (SIGKILL); <see cref="RestartAsync"/> brings it back on the same data dir and ports.</summary>
    public async Task KillAsync()
    {
        _process.Signal(9);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
    }

    public async Task RestartAsync()
    {
        _process = TestProcess.Start("etcd", _arguments);
        await WaitReadyAsync();
    }

    private async Task WaitReadyAsync()
    {
        var server = this;
        var process = _process;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await new Maintenance.MaintenanceClient(server._channel).StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Grpc.Core.RpcException)
            {
                var output = process.Output();
                await server.DisposeAsync();
                throw new InvalidOperationException($"etcd did not start:\n{output}");
            }
        }
    }

    /// <summary>Puts <paramref name="count"/> keys <c>/test/NNNNN</c> with values of <paramref name="valueSize"/> random bytes.</summary>
    public async Task LoadAsync(int count, int valueSize, int seed = 1, string prefix = "/test/")
    {
        var kv = new KV.KVClient(_channel);
        var random = new Random(seed);
        var values = Enumerable.Range(0, count).Select(_ =>
        {
            var v = new byte[valueSize];
            random.NextBytes(v);
            return v;
        }).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"{prefix}{i:D5}"), Value = ByteString.CopyFrom(values[i]) }, cancellationToken: ct));
    }

    /// <summary>Every key under <paramref name="prefix"/> with its value (base64), read now.</summary>
    public async Task<Dictionary<string, string>> ReadPrefixAsync(string prefix)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        var end = ByteString.CopyFrom(Core.Mirror.KeyRange.PrefixEnd(key.Span) ?? [0]);
        var response = await Kv.RangeAsync(new RangeRequest { Key = key, RangeEnd = end });
        return response.Kvs.ToDictionary(k => k.Key.ToStringUtf8(), k => Convert.ToBase64String(k.Value.ToByteArray()));
    }

    public async Task<long> PutAsync(string key, string value) =>
        (await Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) })).Header.Revision;

    public async Task DeleteAsync(string key, bool prefix = false)
    {
        var k = ByteString.CopyFromUtf8(key);
        await Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = k, RangeEnd = prefix ? ByteString.CopyFrom(Core.Mirror.KeyRange.PrefixEnd(k.Span)!) : ByteString.Empty });
    }

    /// <summary>Puts every key in one transaction (one revision).</summary>
    public async Task TxnPutAsync(IEnumerable<string> keys, string value)
    {
        var txn = new TxnRequest();
        txn.Success.AddRange(keys.Select(k => new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(k), Value = ByteString.CopyFromUtf8(value) } }));
        await Kv.TxnAsync(txn);
    }

    /// <summary>Compacts the history up to the current revision (physically, as the API server's compactor does).</summary>
    public async Task<long> CompactAsync()
    {
        var revision = (await Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFrom(0), CountOnly = true })).Header.Revision;
        await Kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = true });
        return revision;
    }

    /// <summary>Every key and value, and the revision they were read at.</summary>
    public async Task<(long Revision, Dictionary<string, string> Keys)> ReadAllAsync()
    {
        var all = ByteString.CopyFrom(0);
        var response = await new KV.KVClient(_channel).RangeAsync(new RangeRequest { Key = all, RangeEnd = all });
        return (response.Header.Revision, response.Kvs.ToDictionary(k => k.Key.ToStringUtf8(), k => Convert.ToBase64String(k.Value.ToByteArray())));
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _process.DisposeAsync();
    }
}
