using System.Globalization;
using Edge.Testing;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>Two single-member etcd clusters on loopback, a source and a destination, for the mirror tests.</summary>
public sealed class MirrorLab : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("etcd-mirror-test-").FullName;

    public EtcdServer Source { get; private set; } = null!;

    public EtcdServer Dest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(EtcdServer.StartAsync(Path.Combine(Root, "source"), "source"),
            EtcdServer.StartAsync(Path.Combine(Root, "dest"), "dest"));
        (Source, Dest) = (started[0], started[1]);
    }

    /// <summary>The flags of a mirror of <paramref name="prefix"/> from the source to the destination, with its own resume key and admin port.</summary>
    public static string[] Flags(EtcdServer source, EtcdServer dest, string prefix, params string[] more) =>
    [
        "--endpoints", source.Endpoint, "--dest-endpoints", dest.Endpoint, "--prefix", prefix,
        "--rev-key", $"/mirror-state{prefix}revision", "--admin", $"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}", .. more,
    ];

    public string[] Flags(string prefix, params string[] more) => Flags(Source, Dest, prefix, more);

    /// <summary>Waits until the destination holds exactly the source's keys under <paramref name="prefix"/>.</summary>
    public static async Task WaitEqualAsync(EtcdServer source, EtcdServer dest, string prefix, TestProcess? mirror = null, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var (s, d) = (await source.ReadPrefixAsync(prefix), await dest.ReadPrefixAsync(prefix));
            if (s.Count == d.Count && s.All(kv => d.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                return;
            }

            if (DateTime.UtcNow > deadline || mirror is { HasExited: true })
            {
                Assert.Fail($"destination not equal to the source under {prefix}: {s.Count} vs {d.Count} keys, e.g. {s.Keys.Except(d.Keys).Concat(d.Keys.Except(s.Keys)).FirstOrDefault()}\n{mirror?.Output()}");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Source.DisposeAsync();
        await Dest.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
