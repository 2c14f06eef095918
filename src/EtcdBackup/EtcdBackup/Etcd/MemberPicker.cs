using EtcdBackup.Core.Config;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace EtcdBackup.Etcd;

/// <summary>The member a snapshot is taken from, and what it said about itself.</summary>
internal sealed record ChosenMember(Uri Endpoint, GrpcChannel Channel, StatusResponse Status);

/// <summary>
/// Asks every endpoint for its status and picks a healthy member: it answers, reports no errors (such as a
/// NOSPACE alarm), and is not a learner; among those, the one that has applied the most of the raft log (so the
/// snapshot is the newest), ties going to the order given. The choice and every rejection are logged.
/// </summary>
internal static partial class MemberPicker
{
    public static Task<ChosenMember> PickAsync(EtcdChannels channels, BackupSettings settings, ILogger logger, CancellationToken ct) =>
        PickAsync(channels, settings.Endpoints, settings.CommandTimeout, "snapshot", logger, ct);

    /// <param name="purpose">What the member is for, in the log ("snapshot", "mirror source", ...).</param>
    public static async Task<ChosenMember> PickAsync(EtcdChannels channels, IReadOnlyList<Uri> endpoints, TimeSpan timeout, string purpose,
        ILogger logger, CancellationToken ct)
    {
        var probes = endpoints.Select(async endpoint =>
        {
            var channel = channels.Open(endpoint);
            try
            {
                var status = await new Maintenance.MaintenanceClient(channel)
                    .StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + timeout, cancellationToken: ct)
                    .ConfigureAwait(false);
                var problem = status.Errors.Count > 0 ? "reports errors: " + string.Join("; ", status.Errors)
                    : status.IsLearner ? "is a learner" : null;
                return (Endpoint: endpoint, Channel: channel, Status: (StatusResponse?)status, Problem: problem);
            }
            catch (RpcException e)
            {
                return (Endpoint: endpoint, Channel: channel, Status: (StatusResponse?)null, Problem: (string?)Describe(e));
            }
        }).ToList();

        var results = await Task.WhenAll(probes).ConfigureAwait(false);
        ChosenMember? best = null;
        foreach (var (endpoint, channel, status, problem) in results)
        {
            if (problem is not null || status is null)
            {
                LogRejected(logger, endpoint, problem ?? "no status");
                continue;
            }

            if (best is null || status.RaftAppliedIndex > best.Status.RaftAppliedIndex)
            {
                best = new ChosenMember(endpoint, channel, status);
            }
        }

        if (best is null)
        {
            throw new EtcdUnavailableException(
                "no healthy etcd member: " + string.Join("; ", results.Select(r => $"{r.Endpoint}: {r.Problem}")));
        }

        LogChosen(logger, purpose, best.Endpoint, best.Status.Header.MemberId, best.Status.Version, best.Status.RaftAppliedIndex,
            best.Status.Header.MemberId == best.Status.Leader);
        return best;
    }

    public static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable => $"unreachable ({e.Status.Detail})",
        StatusCode.DeadlineExceeded => "no answer in time",
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => $"refused our credentials ({e.Status.Detail})",
        _ => $"{e.StatusCode}: {e.Status.Detail}",
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "etcd member {Endpoint} skipped: {Reason}")]
    private static partial void LogRejected(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "{Purpose} from {Endpoint} (member {MemberId:x}, etcd {Version}, applied index {Applied}, leader {IsLeader})")]
    private static partial void LogChosen(ILogger logger, string purpose, Uri endpoint, ulong memberId, string version, ulong applied, bool isLeader);
}

internal sealed class EtcdUnavailableException(string message) : Exception(message);
