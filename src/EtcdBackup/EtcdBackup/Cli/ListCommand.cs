using System.Globalization;
using System.Text.Json;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Retention;
using EtcdBackup.Daemon;
using EtcdBackup.Snapshots;

namespace EtcdBackup.Cli;

/// <summary>
/// <c>list</c>: every target's full snapshots with their state and, under each, its delta chain in one line (count,
/// revisions, last cut, gapless or where the gap is); deltas that belong to no complete snapshot are listed one by one.
/// </summary>
internal static class ListCommand
{
    public static async Task<int> RunAsync(BackupContext context, string output, CancellationToken ct)
    {
        if (output is not ("text" or "json"))
        {
            throw new UsageException($"--output: \"{output}\" is not text or json");
        }

        var listings = new List<(TargetListing Listing, IReadOnlyList<StoredDelta> Deltas)>();
        foreach (var target in context.Targets)
        {
            listings.Add(await TargetCatalog.ListWithDeltasAsync(target, context.Settings.NamePrefix, ct).ConfigureAwait(false));
        }

        if (output == "json")
        {
            var rows = listings.Select(l => new ListedTarget(l.Listing.Target, l.Listing.Failure, l.Listing.Snapshots.Select(s => new ListedSnapshot(
                s.Name, s.Time, s.State.ToString().ToLowerInvariant(), s.Problem, s.Manifest?.Revision, s.Manifest?.StoredSize ?? s.Size,
                s.Manifest?.DbSize, s.Manifest?.Sha256, s.Manifest?.Compression, s.Manifest?.Encryption)).ToList(),
                l.Deltas.Select(d => new ListedDelta(d.Name, d.Time, d.State.ToString().ToLowerInvariant(), d.Problem, d.Manifest?.Base,
                    d.Manifest?.FromRevision, d.Manifest?.ToRevision, d.Manifest?.Events, d.Manifest?.StoredSize ?? d.Size)).ToList())).ToList();
            Console.WriteLine(JsonSerializer.Serialize(rows, ListingJson.Default.ListListedTarget));
            return listings.Any(l => l.Listing.Failure is not null) ? ExitCodes.Failed : ExitCodes.Ok;
        }

        Console.WriteLine($"{"NAME",-32} {"TIME (UTC)",-20} {"REVISION",10} {"SIZE",14}  {"STATE",-10} TARGET");
        foreach (var (listing, deltas) in listings)
        {
            if (listing.Failure is not null)
            {
                Console.WriteLine($"{"-",-32} {"-",-20} {"-",10} {"-",14}  {"unlisted",-10} {listing.Target}: {listing.Failure}");
            }

            var chains = DeltaChain.Build(listing.Snapshots, deltas).ToDictionary(c => c.Base.Name, StringComparer.Ordinal);
            foreach (var s in listing.Snapshots)
            {
                var state = s.State.ToString().ToLowerInvariant() + (s.Problem.Length > 0 ? $" ({s.Problem})" : "");
                Console.WriteLine($"{s.Name,-32} {s.Time.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {Show(s.Manifest?.Revision),10} {s.Manifest?.StoredSize ?? s.Size,14}  {state,-10} {listing.Target}");
                if (chains.TryGetValue(s.Name, out var chain) && chain.Deltas.Count > 0)
                {
                    Console.WriteLine($"  + {chain.Deltas.Count} deltas, {chain.Deltas.Sum(d => d.Size)} bytes: restorable to revision {chain.Reach} (cut {chain.Covered.UtcDateTime:yyyy-MM-dd HH:mm:ss}), " +
                        (chain.Gap is null ? "gapless" : $"GAP: {chain.Gap}"));
                }
            }

            var inChains = chains.Values.SelectMany(c => c.Deltas).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var d in deltas.Where(d => !inChains.Contains(d.Name)))
            {
                var state = d.State.ToString().ToLowerInvariant() + (d.Problem.Length > 0 ? $" ({d.Problem})" : "") +
                    (d.Manifest is { } m ? $", base {m.Base} not complete here" : "");
                Console.WriteLine($"{d.Name,-32} {d.Time.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {Show(d.Manifest?.ToRevision),10} {d.Size,14}  {state,-10} {listing.Target}");
            }
        }

        return listings.Any(l => l.Listing.Failure is not null) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static string Show(long? revision) => revision?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
