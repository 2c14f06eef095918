using System.Globalization;

namespace EtcdBackup.Core.Naming;

/// <summary>
/// Names of snapshots and of the objects that make one up. A snapshot <c>etcd-20261125T143000.123Z</c> is stored as
/// <c>NAME.db</c> (plus <c>.zst</c> / <c>.enc</c> when compressed / encrypted), committed by <c>NAME.json</c> (the
/// manifest, written last); a local write in progress is <c>NAME.db….part</c>. The time in the name is UTC, so names
/// sort by time and <c>list</c> reads the time without opening anything.
/// </summary>
public static class SnapshotName
{
    public const string ManifestSuffix = ".json";
    public const string PartSuffix = ".part";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'.'fff'Z'";

    /// <summary>The name of a snapshot taken at <paramref name="time"/>.</summary>
    public static string Create(string prefix, DateTimeOffset time) =>
        $"{prefix}-{time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}";

    /// <summary>A name prefix must stay a single path element of plain characters.</summary>
    public static bool IsValidPrefix(string prefix) =>
        prefix.Length is > 0 and <= 64 && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The stored object of a snapshot (the etcd snapshot file, possibly compressed and encrypted).</summary>
    public static string ObjectFile(string name, string compression, string encryption) =>
        name + ".db" + (compression == Compressions.Zstd ? ".zst" : "") + (encryption == Encryptions.AesGcm ? ".enc" : "");

    public static string ManifestFile(string name) => name + ManifestSuffix;

    /// <summary>
    /// What a file or object name (without any directory or key prefix) is to us, and the snapshot it belongs to.
    /// Names that are not ours are <see cref="FileKind.Foreign"/>: never counted, never deleted.
    /// </summary>
    public static (FileKind Kind, string Snapshot, DateTimeOffset Time) Classify(string fileName, string prefix)
    {
        var kind = FileKind.Object;
        var stem = fileName;
        if (stem.EndsWith(PartSuffix, StringComparison.Ordinal))
        {
            kind = FileKind.Part;
            stem = stem[..^PartSuffix.Length];
        }

        var isManifest = stem.EndsWith(ManifestSuffix, StringComparison.Ordinal);
        if (isManifest)
        {
            kind = kind == FileKind.Part ? kind : FileKind.Manifest;
            stem = stem[..^ManifestSuffix.Length];
        }
        else
        {
            foreach (var suffix in (ReadOnlySpan<string>)[".enc", ".zst", ".db"])
            {
                if (stem.EndsWith(suffix, StringComparison.Ordinal))
                {
                    stem = stem[..^suffix.Length];
                }
            }
        }

        if (!stem.StartsWith(prefix + "-", StringComparison.Ordinal) ||
            !DateTimeOffset.TryParseExact(stem.AsSpan(prefix.Length + 1), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ||
            (!isManifest && !fileName.Contains(".db", StringComparison.Ordinal)))
        {
            return (FileKind.Foreign, "", default);
        }

        return (kind, stem, time);
    }
}

public enum FileKind
{
    Foreign,
    Object,
    Manifest,
    Part,
}

public static class Compressions
{
    public const string None = "none";
    public const string Zstd = "zstd";
}

public static class Encryptions
{
    public const string None = "none";
    public const string AesGcm = "aes-256-gcm";
}
