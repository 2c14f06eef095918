using System.Globalization;

namespace EtcdBackup.Core.Naming;

/// <summary>
/// Names of deltas: <c>PREFIX-delta-20261125T143000.123Z</c> (the time the delta was cut, UTC), stored as
/// <c>NAME.delta</c> (plus <c>.zst</c> / <c>.enc</c>), committed by <c>NAME.json</c> written last. Full snapshots'
/// <see cref="SnapshotName.Classify"/> sees these names as foreign, so tools that know only full snapshots leave them be.
/// </summary>
public static class DeltaName
{
    private const string Infix = "-delta-";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'.'fff'Z'";

    public static string Create(string prefix, DateTimeOffset time) =>
        $"{prefix}{Infix}{time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}";

    public static string ObjectFile(string name, string compression, string encryption) =>
        name + ".delta" + (compression == Compressions.Zstd ? ".zst" : "") + (encryption == Encryptions.AesGcm ? ".enc" : "");

    /// <summary>What a file name is to the deltas of <paramref name="prefix"/>, and the delta it belongs to.</summary>
    public static (FileKind Kind, string Delta, DateTimeOffset Time) Classify(string fileName, string prefix)
    {
        var kind = FileKind.Object;
        var stem = fileName;
        if (stem.EndsWith(SnapshotName.PartSuffix, StringComparison.Ordinal))
        {
            kind = FileKind.Part;
            stem = stem[..^SnapshotName.PartSuffix.Length];
        }

        if (stem.EndsWith(SnapshotName.ManifestSuffix, StringComparison.Ordinal))
        {
            kind = kind == FileKind.Part ? kind : FileKind.Manifest;
            stem = stem[..^SnapshotName.ManifestSuffix.Length];
        }
        else
        {
            var suffix = stem.IndexOf(".delta", StringComparison.Ordinal);
            if (suffix < 0 || stem[suffix..] is not (".delta" or ".delta.zst" or ".delta.enc" or ".delta.zst.enc"))
            {
                return (FileKind.Foreign, "", default);
            }

            stem = stem[..suffix];
        }

        var head = prefix + Infix;
        return stem.StartsWith(head, StringComparison.Ordinal) &&
            DateTimeOffset.TryParseExact(stem.AsSpan(head.Length), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? (kind, stem, time)
            : (FileKind.Foreign, "", default);
    }
}
