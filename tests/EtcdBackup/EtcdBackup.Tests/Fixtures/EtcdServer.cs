using Edge.Testing;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>A real etcd (Debian's etcd-server) on loopback ports in a temporary data dir, killed on dispose.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly TestProcess _process;
    private readonly GrpcChannel _channel;

    private EtcdServer(TestProcess process, string dataDir, Uri client)
    {
        _process = process;
        DataDir = dataDir;
        Client = client;
        _channel = GrpcChannel.ForAddress(client);
    }

    public string DataDir { get; }

    public Uri Client { get; }

    public string Endpoint => Client.ToString().TrimEnd('/');

    public static async Task<EtcdServer> StartAsync(string dataDir, string name = "default", string? initialCluster = null, int? clientPort = null)
    {
        var clientUrl = $"http://127.0.0.1:{clientPort ?? FreePort.Next()}";
        var client = new Uri(clientUrl);
        var peer = $"http://127.0.0.1:{FreePort.Next()}";
        var process = TestProcess.Start("etcd",
        [
            "--name", name, "--data-dir", dataDir, "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster ?? $"{name}={peer}",
            "--log-level", "warn",
        ]);
        var server = new EtcdServer(process, dataDir, client);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await new Maintenance.MaintenanceClient(server._channel).StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return server;
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
    public async Task LoadAsync(int count, int valueSize, int seed = 1)
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
            await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/test/{i:D5}"), Value = ByteString.CopyFrom(values[i]) }, cancellationToken: ct));
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
