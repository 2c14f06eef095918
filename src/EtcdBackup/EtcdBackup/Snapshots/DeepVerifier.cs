using EtcdBackup.Core.Config;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Tools;

namespace EtcdBackup.Snapshots;

/// <summary>
/// Proves a snapshot restores: etcd's own restore tool into a temporary data dir, a temporary etcd started on it on
/// loopback (<see cref="TemporaryEtcd"/>), and its revision and key count checked against the manifest. Everything is
/// removed afterwards.
/// </summary>
internal static class DeepVerifier
{
    public static async Task<string> VerifyAsync(string snapshotFile, SnapshotManifest manifest, BackupSettings settings, CancellationToken ct)
    {
        var tool = EtcdRestoreTool.Detect(settings) ??
            throw new VerificationException($"deep verification needs {settings.EtcdutlBinary} or {settings.EtcdctlBinary}; neither was found");
        var etcd = ProcessRunner.Find(settings.EtcdBinary) ??
            throw new VerificationException($"deep verification needs {settings.EtcdBinary}; it was not found");
        TemporaryEtcd member;
        try
        {
            member = await TemporaryEtcd.StartAsync(tool, etcd, snapshotFile, "verify", ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new VerificationException($"{manifest.Name} does not restore: {e.Message}");
        }

        await using (member.ConfigureAwait(false))
        {
            long revision, keys;
            try
            {
                (revision, keys) = await member.ReadBackAsync(ct).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new VerificationException(e.Message);
            }

            if (revision < manifest.Revision || revision > Math.Max(manifest.Revision, manifest.RevisionAfter))
            {
                throw new VerificationException($"restored revision {revision}, the manifest says {Range(manifest)}");
            }

            if (manifest.KeyCount is { } expected && revision == manifest.Revision && keys != expected)
            {
                throw new VerificationException($"restored {keys} keys at revision {revision}, the manifest says {expected}");
            }

            return $"restored with {tool.Display} and served by a temporary etcd: revision {revision}, {keys} keys";
        }
    }

    private static string Range(SnapshotManifest m) =>
        m.Revision == m.RevisionAfter ? $"{m.Revision}" : $"{m.Revision}..{m.RevisionAfter}";
}
