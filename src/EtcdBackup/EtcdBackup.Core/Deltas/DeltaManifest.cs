using System.Text.Json;
using EtcdBackup.Core.Manifests;
using System.Text.Json.Serialization;

namespace EtcdBackup.Core.Deltas;

/// <summary>
/// The commit marker of a delta, written after its object is stored. No manifest, no delta.
/// </summary>
/// <param name="Base">The full snapshot this delta's chain extends.</param>
/// <param name="BaseRevision">That snapshot's <c>revision</c>: the chain starts at <c>BaseRevision + 1</c>.</param>
/// <param name="FromRevision">Where this delta starts: the previous delta's <paramref name="ToRevision"/> + 1, or
/// <paramref name="BaseRevision"/> + 1 for the first. Every revision from here to <paramref name="ToRevision"/> is in it.</param>
/// <param name="ToRevision">The last revision in the delta (it has events).</param>
/// <param name="Revisions">Revisions in the delta (each one etcd transaction).</param>
/// <param name="Events">Events (puts and deletes) in the delta.</param>
/// <param name="FirstTime">When etcd-backup received the delta's first revision (wall clock of the backup host).</param>
/// <param name="LastTime">When it received the last one.</param>
/// <param name="Time">When the delta was cut: the change stream was read up to this moment.</param>
/// <param name="Sha256">Our SHA-256 of the stored object (after compression and encryption).</param>
public sealed record DeltaManifest(
    int Format,
    string Kind,
    string Name,
    string Object,
    string Base,
    long BaseRevision,
    long FromRevision,
    long ToRevision,
    int Revisions,
    long Events,
    DateTimeOffset FirstTime,
    DateTimeOffset LastTime,
    DateTimeOffset Time,
    long StoredSize,
    string Sha256,
    string Compression,
    string Encryption,
    string? KeyId)
{
    public const int CurrentFormat = 1;
    public const string DeltaKind = "delta";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, DeltaManifestJson.Default.DeltaManifest);

    /// <summary>Parses a delta manifest; a reason instead of an exception for anything that is not one of ours.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out DeltaManifest? manifest, out string error) =>
        ManifestReader.TryRead(json, DeltaManifestJson.Default.DeltaManifest, "delta manifest", m => m switch
        {
            { Format: not CurrentFormat } => $"delta manifest format {m.Format} is not {CurrentFormat}",
            { Kind: not DeltaKind } => $"manifest kind \"{m.Kind}\" is not {DeltaKind}",
            { Name.Length: 0 } or { Object.Length: 0 } or { Base.Length: 0 } => "delta manifest without name, object or base",
            { Sha256.Length: not 64 } => "delta manifest without a SHA-256",
            { StoredSize: < 0 } or { Events: < 1 } or { Revisions: < 1 } => "delta manifest with a negative size or no events",
            _ when m.FromRevision <= m.BaseRevision || m.ToRevision < m.FromRevision =>
                $"delta manifest with revisions {m.FromRevision}..{m.ToRevision} after a base at {m.BaseRevision}",
            _ => "",
        }, out manifest, out error);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(DeltaManifest))]
internal sealed partial class DeltaManifestJson : JsonSerializerContext;
