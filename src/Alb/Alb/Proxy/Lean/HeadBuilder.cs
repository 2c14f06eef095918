using System.Buffers;
using System.Buffers.Text;
using System.Net;

namespace Alb.Proxy.Lean;

/// <summary>ASCII into a pooled buffer that grows; false on a character outside ASCII.</summary>
internal struct HeadBuilder(byte[] buffer)
{
    public byte[] Buffer = buffer;
    public int Length;

    public bool Ascii(string text)
    {
        Ensure(text.Length);
        return System.Text.Ascii.FromUtf16(text, Buffer.AsSpan(Length), out var written) == OperationStatus.Done && Advance(written);
    }

    public bool Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(Buffer.AsSpan(Length));
        return Advance(bytes.Length);
    }

    public bool Number(long value)
    {
        Ensure(20);
        return Utf8Formatter.TryFormat(value, Buffer.AsSpan(Length), out var written) && Advance(written);
    }

    public bool Address(IPAddress? address)
    {
        Ensure(64);
        if (address is null)
        {
            return true;
        }

        return address.TryFormat(Buffer.AsSpan(Length), out var written) && Advance(written);
    }

    private bool Advance(int written)
    {
        Length += written;
        return true;
    }

    private void Ensure(int more)
    {
        if (Length + more <= Buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + more));
        Buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = bigger;
    }
}
