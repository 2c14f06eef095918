using EtcdBackup.Cli;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Snapshots;
using EtcdBackup.Targets;

namespace EtcdBackup.Deltas;

/// <summary>
/// <c>verify --deep</c> of a full snapshot's delta chain: gapless (each delta starts where the previous ended, the first
/// at the base's revision + 1), and every delta read back: size and SHA-256 against its manifest, decoded, its
/// revisions and counts as the manifest says.
/// </summary>
internal static class ChainVerifier
{
    /// <summary>"OK   detail" or "FAIL reason"; null when the snapshot has no deltas.</summary>
    public static async Task<string?> VerifyAsync(BackupContext context, ITarget target, string baseName, CancellationToken ct)
    {
        var (listing, deltas) = await TargetCatalog.ListWithDeltasAsync(target, context.Settings.NamePrefix, ct).ConfigureAwait(false);
        if (DeltaChain.Build(listing.Snapshots, deltas).FirstOrDefault(c => c.Base.Name == baseName) is not { } chain || chain.Deltas.Count == 0)
        {
            return null;
        }

        var problems = new List<string>();
        if (chain.Gap is { } gap)
        {
            problems.Add($"chain has a gap: {gap}");
        }

        var store = new DeltaStore(context.Settings.NamePrefix, context.Settings.Compression, context.Key);
        foreach (var delta in chain.Usable)
        {
            var (_, bad) = await store.ReadAsync(target, delta, ct).ConfigureAwait(false);
            problems.AddRange(bad.Select(p => $"delta {delta.Name}: {p}"));
        }

        return problems.Count > 0
            ? $"FAIL {string.Join("; ", problems)}"
            : $"OK   chain of {chain.Usable.Count} deltas, revisions {chain.Usable[0].FromRevision}..{chain.Reach}, gapless, every delta's SHA-256 matches and decodes";
    }
}
