using System.Text.Json;
using System.Text.Json.Serialization;

namespace EtcdBackup.Core.Manifests;

/// <summary>
/// The commit marker of a snapshot, written after the object is stored and checked. No manifest, no snapshot.
/// </summary>
/// <param name="Revision">The etcd revision at the start of the snapshot stream (a lower bound of the snapshot's own).</param>
/// <param name="RevisionAfter">The revision seen once the stream had started (an upper bound); equal to
/// <paramref name="Revision"/> when nothing was written meanwhile.</param>
/// <param name="KeyCount">Keys at <paramref name="Revision"/>; exact only when the two revisions are equal.</param>
/// <param name="DbSize">Bytes of the etcd database (the snapshot without etcd's 32-byte SHA-256 tail).</param>
/// <param name="EtcdSha256">Etcd's own SHA-256 of the database, as it sent it and as we checked it.</param>
/// <param name="StoredSize">Bytes of the stored object (after compression and encryption).</param>
/// <param name="Sha256">Our SHA-256 of the stored object.</param>
public sealed record SnapshotManifest(
    int Format,
    string Name,
    string Object,
    DateTimeOffset Time,
    string ClusterId,
    string MemberId,
    string MemberName,
    string Endpoint,
    long Revision,
    long RevisionAfter,
    long? KeyCount,
    string EtcdVersion,
    long DbSize,
    string EtcdSha256,
    long StoredSize,
    string Sha256,
    string Compression,
    string Encryption,
    string? KeyId,
    TimeSpan Duration)
{
    public const int CurrentFormat = 1;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ManifestJson.Default.SnapshotManifest);

    /// <summary>Parses a manifest; a reason instead of an exception for anything that is not one of ours.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out SnapshotManifest? manifest, out string error) =>
        ManifestReader.TryRead(json, ManifestJson.Default.SnapshotManifest, "snapshot manifest", m => m switch
        {
            { Format: not CurrentFormat } => $"manifest format {m.Format} is not {CurrentFormat}",
            { Name.Length: 0 } or { Object.Length: 0 } => "manifest without name or object",
            { Sha256.Length: not 64 } or { EtcdSha256.Length: not 64 } => "manifest without a SHA-256",
            { StoredSize: < 0 } or { DbSize: < 0 } => "manifest with a negative size",
            _ => "",
        }, out manifest, out error);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(SnapshotManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
