using System.Net;

namespace EtcdBackup.Core.Config;

/// <summary>
/// The settings of <c>etcd-backup mirror</c>: the destination (the source is <c>--endpoints</c> and its TLS files),
/// what to mirror, and where the resume point lives. Never holds a secret.
/// </summary>
public sealed record MirrorSettings
{
    public IReadOnlyList<Uri> DestEndpoints { get; init; } = [];
    public string? DestCaCert { get; init; }
    public string? DestCert { get; init; }
    public string? DestKey { get; init; }
    public IReadOnlyList<string> Prefixes { get; init; } = [];
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>The resume key as given; null: <see cref="Mirror.MirrorScope.DefaultRevKey"/> of the source's cluster id.</summary>
    public string? RevKey { get; init; }

    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 9107);
}

internal static class MirrorSettingsReader
{
    public static MirrorSettings Read(SettingValues r, IPEndPoint? admin, List<string> errors)
    {
        var settings = new MirrorSettings
        {
            DestEndpoints = r.Endpoints("mirror.destEndpoints", null),
            DestCaCert = r.File("mirror.destCacert"),
            DestCert = r.File("mirror.destCert"),
            DestKey = r.File("mirror.destKey"),
            Prefixes = r.List("mirror.prefixes"),
            Excludes = r.List("mirror.excludes"),
            RevKey = r.Text("mirror.revKey"),
            Admin = admin ?? new IPEndPoint(IPAddress.Loopback, 9107),
        };
        if (settings.DestCert is null != (settings.DestKey is null))
        {
            errors.Add("--dest-cert/--dest-key: give both the client certificate and its key, or neither");
        }

        // The scope is checked again with the real default resume key once the source's cluster id is known.
        Mirror.MirrorScope.Create(settings.Prefixes, settings.Excludes, settings.RevKey ?? Mirror.MirrorScope.DefaultRevKey(0),
            settings.RevKey is null ? "--rev-key (default)" : "--rev-key", errors);
        return settings;
    }
}
