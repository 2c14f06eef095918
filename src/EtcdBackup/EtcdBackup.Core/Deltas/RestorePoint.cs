namespace EtcdBackup.Core.Deltas;

/// <summary>A restore plan: the full snapshot to restore, the deltas to replay on it, and the revision to stop at.</summary>
/// <param name="Revision">The revision to stop at; for a time, the lowest it can be (the base's), raised by <see cref="Target"/>.</param>
public sealed record RestorePlan(DeltaChain Chain, IReadOnlyList<DeltaManifest> Deltas, long Revision, DateTimeOffset? Time)
{
    /// <summary>The revision to stop at, given the revisions of <see cref="Deltas"/> as read.</summary>
    public long Target(IEnumerable<DeltaRevision> revisions) =>
        Time is { } t ? Math.Max(Revision, RestorePoint.RevisionAt(revisions, t, Revision)) : Revision;
}

/// <summary>
/// Picks what a point-in-time restore needs. <c>--to-revision R</c>: the newest full snapshot that surely holds no
/// revision after R (its <c>revisionAfter</c> ≤ R), and its deltas up to R. <c>--to-time T</c>: the newest full snapshot
/// finished at or before T, then the newest revision the chain received at or before T (the time recorded per revision
/// is when etcd-backup's watch delivered it). Every refusal names the flag and says what would work.
/// </summary>
public static class RestorePoint
{
    public static bool TryPlan(IReadOnlyList<DeltaChain> chains, long? revision, DateTimeOffset? time, out RestorePlan? plan, out string error)
    {
        plan = null;
        error = "";
        if (revision is null == time is null)
        {
            error = "--to-revision/--to-time: give exactly one";
            return false;
        }

        var flag = revision is not null ? "--to-revision" : "--to-time";
        var shown = revision is { } r0 ? $"revision {r0}" : $"{time:yyyy-MM-ddTHH:mm:ss.fffZ}";
        if (chains.Count == 0)
        {
            error = $"{flag}: there is no complete full snapshot to start from";
            return false;
        }

        var chain = revision is { } rev
            ? chains.Where(c => c.BaseManifest.RevisionAfter <= rev).MaxBy(c => c.BaseManifest.RevisionAfter)
            : chains.Where(c => c.BaseDone <= time).MaxBy(c => c.BaseDone);
        if (chain is null)
        {
            var oldest = chains.MinBy(c => c.BaseManifest.Revision)!;
            error = $"{flag}: {shown} is before the oldest full snapshot ({oldest.Base.Name}: revision {oldest.BaseManifest.RevisionAfter}, finished {oldest.BaseDone:yyyy-MM-ddTHH:mm:ss.fffZ})";
            return false;
        }

        var reachable = revision is { } rr ? rr <= chain.Reach : time <= chain.Covered;
        if (!reachable)
        {
            var limit = $"revision {chain.Reach}, received by {chain.Covered:yyyy-MM-ddTHH:mm:ss.fffZ}";
            error = chain.Gap is { } gap
                ? $"{flag}: {shown} is past a gap in the delta chain of {chain.Base.Name}: {gap}; it restores up to {limit} at most"
                : $"{flag}: {shown} is after the newest delta of {chain.Base.Name} (it reaches {limit})";
            return false;
        }

        if (revision is { } to)
        {
            plan = new RestorePlan(chain, chain.Usable.Where(d => d.FromRevision <= to).ToList(), to, null);
            return true;
        }

        // The deltas up to the last one that began at or before T; the exact revision is read from their records.
        var usable = chain.Usable.ToList();
        plan = new RestorePlan(chain, usable.Take(usable.FindLastIndex(d => d.FirstTime <= time) + 1).ToList(),
            chain.BaseManifest.RevisionAfter, time);
        return true;
    }

    /// <summary>The newest revision received at or before <paramref name="time"/>, or <paramref name="fallback"/> when none is.</summary>
    public static long RevisionAt(IEnumerable<DeltaRevision> revisions, DateTimeOffset time, long fallback) =>
        revisions.Where(r => r.Time <= time).Select(r => r.Revision).DefaultIfEmpty(fallback).Max();
}
