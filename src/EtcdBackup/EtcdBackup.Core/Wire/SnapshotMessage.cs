using System.Buffers;

namespace EtcdBackup.Core.Wire;

/// <summary>
/// Reads etcd's <c>SnapshotResponse</c> (header = 1, remaining_bytes = 2, blob = 3, version = 4) straight from the
/// gRPC payload into a buffer that is reused for every message, instead of allocating a message and a 32 KiB
/// <c>ByteString</c> per message: the snapshot stream is ~33,000 messages per GiB. Unknown fields are skipped as
/// protobuf requires; malformed input yields a reason, never an exception.
/// </summary>
public sealed class SnapshotMessage
{
    private const int MaxBlob = 4 * 1024 * 1024;
    private byte[] _buffer = new byte[64 * 1024];

    public ReadOnlyMemory<byte> Blob { get; private set; }

    public ulong RemainingBytes { get; private set; }

    public string? Error { get; private set; }

    public void Parse(ReadOnlySequence<byte> payload)
    {
        Blob = ReadOnlyMemory<byte>.Empty;
        RemainingBytes = 0;
        Error = null;
        var reader = new SequenceReader<byte>(payload);
        while (!reader.End)
        {
            if (!TryVarint(ref reader, out var tag))
            {
                Error = "truncated field tag";
                return;
            }

            var (field, wire) = (tag >> 3, (int)(tag & 7));
            switch (wire)
            {
                case 0:
                    if (!TryVarint(ref reader, out var value))
                    {
                        Error = "truncated varint";
                        return;
                    }

                    if (field == 2)
                    {
                        RemainingBytes = value;
                    }

                    break;
                case 2:
                    if (!TryVarint(ref reader, out var length) || length > (ulong)reader.Remaining)
                    {
                        Error = "truncated length-delimited field";
                        return;
                    }

                    if (field == 3)
                    {
                        if (length > MaxBlob)
                        {
                            Error = $"blob of {length} bytes is over {MaxBlob}";
                            return;
                        }

                        if ((int)length > _buffer.Length)
                        {
                            _buffer = new byte[(int)length];
                        }

                        reader.TryCopyTo(_buffer.AsSpan(0, (int)length));
                        Blob = _buffer.AsMemory(0, (int)length);
                    }

                    reader.Advance((long)length);
                    break;
                case 1 when reader.Remaining >= 8:
                    reader.Advance(8);
                    break;
                case 5 when reader.Remaining >= 4:
                    reader.Advance(4);
                    break;
                default:
                    Error = $"unsupported wire type {wire} for field {field}";
                    return;
            }
        }
    }

    private static bool TryVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
