using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EtcdBackup.Core.Config;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Tools;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;

namespace EtcdBackup.Snapshots;

/// <summary>
/// Proves a snapshot restores: etcd's own restore tool into a temporary data dir, a temporary etcd started on it on
/// loopback, and its revision and key count checked against the manifest. Everything is removed afterwards.
/// </summary>
internal static class DeepVerifier
{
    public static async Task<string> VerifyAsync(string snapshotFile, SnapshotManifest manifest, BackupSettings settings, CancellationToken ct)
    {
        var tool = EtcdRestoreTool.Detect(settings) ??
            throw new VerificationException($"deep verification needs {settings.EtcdutlBinary} or {settings.EtcdctlBinary}; neither was found");
        var etcd = ProcessRunner.Find(settings.EtcdBinary) ??
            throw new VerificationException($"deep verification needs {settings.EtcdBinary}; it was not found");
        var work = Directory.CreateTempSubdirectory("etcd-backup-verify-");
        var dataDir = Path.Combine(work.FullName, "data");
        var (clientPort, peerPort) = (FreePort(), FreePort());
        var peer = $"http://127.0.0.1:{peerPort}";
        var client = $"http://127.0.0.1:{clientPort}";
        try
        {
            try
            {
                await tool.RunAsync(EtcdRestoreTool.Arguments(snapshotFile, dataDir, "verify", $"verify={peer}", peer, null), ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new VerificationException($"{manifest.Name} does not restore: {e.Message}");
            }

            using var process = Process.Start(new ProcessStartInfo(etcd)
            {
                ArgumentList =
                {
                    "--name", "verify", "--data-dir", dataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"verify={peer}",
                    "--quota-backend-bytes", "8589934592", "--log-level", "error",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new VerificationException($"cannot start {etcd}");
            _ = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            try
            {
                var (revision, keys) = await ReadBackAsync(new Uri(client), process, ct).ConfigureAwait(false);
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
            catch (TimeoutException)
            {
                throw new VerificationException($"the restored etcd did not answer within 60 s: {await Tail(process, errors).ConfigureAwait(false)}");
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Range(SnapshotManifest m) =>
        m.Revision == m.RevisionAfter ? $"{m.Revision}" : $"{m.Revision}..{m.RevisionAfter}";

    private static async Task<(long Revision, long Keys)> ReadBackAsync(Uri client, Process process, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(client);
        var kv = new KV.KVClient(channel);
        var all = ByteString.CopyFrom(0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var response = await kv.RangeAsync(new RangeRequest { Key = all, RangeEnd = all, CountOnly = true },
                    deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct).ConfigureAwait(false);
                return (response.Header.Revision, response.Count);
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
            catch (Grpc.Core.RpcException)
            {
                throw new TimeoutException();
            }
        }
    }

    private static async Task<string> Tail(Process process, Task<string> errors)
    {
        if (!process.HasExited)
        {
            return "still starting";
        }

        var text = await errors.ConfigureAwait(false);
        return string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
