using EtcdBackup.Cli;
using EtcdBackup.Core.Config;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Etcd;
using Etcdserverpb;

namespace EtcdBackup.Mirror;

/// <summary>
/// Both clusters of a mirror, checked before anything is written: each answers, they are two different clusters
/// (compared by the cluster id each reports, not by URL: two URLs can name one cluster), and the scope with the real
/// resume key makes sense. Shared by <c>mirror</c>, <c>mirror status</c> and <c>mirror verify</c>.
/// </summary>
internal sealed class MirrorSetup : IDisposable
{
    private readonly EtcdChannels _source;
    private readonly EtcdChannels _destination;
    private readonly ILogger _logger;

    private MirrorSetup(BackupSettings settings, EtcdChannels source, EtcdChannels destination, ILogger logger)
    {
        Settings = settings;
        _source = source;
        _destination = destination;
        _logger = logger;
    }

    public BackupSettings Settings { get; }
    public MirrorSettings Mirror => Settings.Mirror;
    public MirrorScope Scope { get; private set; } = null!;
    public ulong SourceClusterId { get; private set; }
    public ulong DestClusterId { get; private set; }
    public Uri SourceEndpoint { get; private set; } = null!;
    public Uri DestEndpoint { get; private set; } = null!;
    public TimeProvider Time { get; } = TimeProvider.System;
    public MirrorMetrics? Metrics { get; set; }

    public static async Task<MirrorSetup> ConnectAsync(BackupSettings settings, ILogger logger, CancellationToken ct)
    {
        var m = settings.Mirror;
        if (m.DestEndpoints.Count == 0)
        {
            throw new UsageException("--dest-endpoints: required for mirror (the standby cluster's client URLs)");
        }

        var setup = new MirrorSetup(settings, new EtcdChannels(settings),
            new EtcdChannels(settings.DialTimeout, m.DestCaCert, m.DestCert, m.DestKey, "dest-"), logger);
        try
        {
            var source = await MemberPicker.PickAsync(setup._source, settings.Endpoints, settings.CommandTimeout, "mirror source", logger, ct).ConfigureAwait(false);
            var dest = await MemberPicker.PickAsync(setup._destination, m.DestEndpoints, settings.CommandTimeout, "mirror destination", logger, ct).ConfigureAwait(false);
            (setup.SourceClusterId, setup.DestClusterId) = (source.Status.Header.ClusterId, dest.Status.Header.ClusterId);
            (setup.SourceEndpoint, setup.DestEndpoint) = (source.Endpoint, dest.Endpoint);
            if (setup.SourceClusterId == setup.DestClusterId)
            {
                throw new UsageException($"--dest-endpoints: {dest.Endpoint} is the source cluster itself (cluster id {setup.SourceClusterId:x16}, as --endpoints {source.Endpoint} reports): a mirror needs a second cluster");
            }

            var errors = new List<string>();
            setup.Scope = MirrorScope.Create(m.Prefixes, m.Excludes, m.RevKey ?? MirrorScope.DefaultRevKey(setup.SourceClusterId),
                m.RevKey is null ? "--rev-key (default)" : "--rev-key", errors) ?? throw new UsageException(string.Join(Environment.NewLine, errors));
            return setup;
        }
        catch
        {
            setup.Dispose();
            throw;
        }
    }

    /// <summary>A KV client on a healthy source member (picked again on every call: used after failures).</summary>
    public async Task<KV.KVClient> SourceKvAsync(CancellationToken ct) =>
        new((await MemberPicker.PickAsync(_source, Settings.Endpoints, Settings.CommandTimeout, "mirror source", _logger, ct).ConfigureAwait(false)).Channel);

    public DestWriter CreateWriter() =>
        new(_destination, Mirror.DestEndpoints, Settings.CommandTimeout, Scope.RevKey, Time, _logger)
        {
            OnError = _ => Metrics?.Errors.WithLabels("destination").Inc(),
        };

    public ChangeStream CreateStream() =>
        new(_source, Settings.Endpoints, Settings.CommandTimeout, Scope.Covering, k => Scope.Contains(k.Span), Time, _logger)
        {
            OnError = _ => Metrics?.Errors.WithLabels("source").Inc(),
        };

    public void Dispose()
    {
        _source.Dispose();
        _destination.Dispose();
    }
}
