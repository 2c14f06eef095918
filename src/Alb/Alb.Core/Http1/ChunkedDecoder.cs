namespace Alb.Core.Http1;

/// <summary>What one <see cref="ChunkedDecoder.Decode"/> call found.</summary>
public enum ChunkResult
{
    /// <summary>All input was framing; give it more.</summary>
    NeedMore,

    /// <summary>Body bytes: <c>input[dataStart..(dataStart + dataLength)]</c>.</summary>
    Data,

    /// <summary>The last chunk and the trailer section ended; <c>consumed</c> bytes belonged to the body.</summary>
    Done,

    /// <summary>Malformed; see <see cref="ChunkedDecoder.Error"/>.</summary>
    Error,
}

public enum ChunkError
{
    None,
    BadSize,
    SizeOverflow,
    BadExtension,
    LineTooLong,
    BadLineEnd,
    BadTrailer,
    TrailersTooLarge,
}

/// <summary>
/// The chunked transfer coding (RFC 9112 §7.1) as a state machine over whatever bytes arrive, split anywhere: chunk
/// sizes in hex (at most 15 significant digits), extensions checked for control characters and skipped, CRLF required
/// after every size line and chunk (a bare LF is an error), trailer fields checked and dropped. Pure, no buffering.
/// </summary>
public struct ChunkedDecoder
{
    public const int MaxSizeLineBytes = 4096;
    public const int MaxTrailerBytes = 16 * 1024;
    private const int MaxSizeDigits = 15;

    private State _state;
    private long _remaining;
    private int _lineBytes;
    private int _digits;
    private int _trailerBytes;

    private enum State
    {
        Size,
        SizeDigits,
        SizeWhitespace,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerStart,
        TrailerName,
        TrailerValue,
        TrailerLf,
        FinalLf,
        Done,
        Failed,
    }

    public ChunkError Error { get; private set; }

    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Decodes from the start of <paramref name="input"/>. <paramref name="consumed"/>: bytes of it used (framing, and
    /// the data it returns); call again with the rest.
    /// </summary>
    public ChunkResult Decode(ReadOnlySpan<byte> input, out int consumed, out int dataStart, out int dataLength)
    {
        dataStart = dataLength = 0;
        var i = 0;
        while (i < input.Length)
        {
            if (_state == State.Data)
            {
                var take = (int)Math.Min(_remaining, input.Length - i);
                _remaining -= take;
                if (_remaining == 0)
                {
                    _state = State.DataCr;
                }

                dataStart = i;
                dataLength = take;
                consumed = i + take;
                return ChunkResult.Data;
            }

            var b = input[i++];
            var error = Step(b);
            if (error != ChunkError.None)
            {
                Error = error;
                _state = State.Failed;
                consumed = i;
                return ChunkResult.Error;
            }

            if (_state == State.Done)
            {
                consumed = i;
                return ChunkResult.Done;
            }
        }

        consumed = i;
        return _state switch
        {
            State.Done => ChunkResult.Done,
            State.Failed => ChunkResult.Error,
            _ => ChunkResult.NeedMore,
        };
    }

    private ChunkError Step(byte b)
    {
        switch (_state)
        {
            case State.Size:
            case State.SizeDigits:
                if (++_lineBytes > MaxSizeLineBytes)
                {
                    return ChunkError.LineTooLong;
                }

                if (HexValue(b) is var digit and >= 0)
                {
                    if (_remaining != 0 || digit != 0)
                    {
                        if (++_digits > MaxSizeDigits)
                        {
                            return ChunkError.SizeOverflow;
                        }
                    }

                    _remaining = (_remaining << 4) | (uint)digit;
                    _state = State.SizeDigits;
                    return ChunkError.None;
                }

                return _state == State.Size ? ChunkError.BadSize : AfterSize(b);
            case State.SizeWhitespace:
                return ++_lineBytes > MaxSizeLineBytes ? ChunkError.LineTooLong : AfterSize(b);
            case State.Extension:
                if (++_lineBytes > MaxSizeLineBytes)
                {
                    return ChunkError.LineTooLong;
                }

                if (b == '\r')
                {
                    _state = State.SizeLf;
                    return ChunkError.None;
                }

                return b < 0x20 && b != '\t' || b == 0x7f ? ChunkError.BadExtension : ChunkError.None;
            case State.SizeLf:
                if (b != '\n')
                {
                    return ChunkError.BadLineEnd;
                }

                _lineBytes = 0;
                _digits = 0;
                _state = _remaining == 0 ? State.TrailerStart : State.Data;
                return ChunkError.None;
            case State.DataCr:
                if (b != '\r')
                {
                    return ChunkError.BadLineEnd;
                }

                _state = State.DataLf;
                return ChunkError.None;
            case State.DataLf:
                if (b != '\n')
                {
                    return ChunkError.BadLineEnd;
                }

                _state = State.Size;
                return ChunkError.None;
            case State.TrailerStart:
                if (++_trailerBytes > MaxTrailerBytes)
                {
                    return ChunkError.TrailersTooLarge;
                }

                if (b == '\r')
                {
                    _state = State.FinalLf;
                    return ChunkError.None;
                }

                if (!IsToken(b))
                {
                    return ChunkError.BadTrailer; // obs-fold, bare LF, or not a field name
                }

                _state = State.TrailerName;
                return ChunkError.None;
            case State.TrailerName:
                if (++_trailerBytes > MaxTrailerBytes)
                {
                    return ChunkError.TrailersTooLarge;
                }

                if (b == ':')
                {
                    _state = State.TrailerValue;
                    return ChunkError.None;
                }

                return IsToken(b) ? ChunkError.None : ChunkError.BadTrailer;
            case State.TrailerValue:
                if (++_trailerBytes > MaxTrailerBytes)
                {
                    return ChunkError.TrailersTooLarge;
                }

                if (b == '\r')
                {
                    _state = State.TrailerLf;
                    return ChunkError.None;
                }

                return b < 0x20 && b != '\t' || b == 0x7f ? ChunkError.BadTrailer : ChunkError.None;
            case State.TrailerLf:
                if (b != '\n')
                {
                    return ChunkError.BadLineEnd;
                }

                _state = State.TrailerStart;
                return ChunkError.None;
            case State.FinalLf:
                if (b != '\n')
                {
                    return ChunkError.BadLineEnd;
                }

                _state = State.Done;
                return ChunkError.None;
            default:
                return Error == ChunkError.None ? ChunkError.BadSize : Error; // after Done or a failure: nothing more is valid
        }
    }

    /// <summary>After the size's digits: optional whitespace, then an extension or the line's end.</summary>
    private ChunkError AfterSize(byte b)
    {
        switch (b)
        {
            case (byte)' ' or (byte)'\t':
                _state = State.SizeWhitespace;
                return ChunkError.None;
            case (byte)';':
                _state = State.Extension;
                return ChunkError.None;
            case (byte)'\r':
                _state = State.SizeLf;
                return ChunkError.None;
            default:
                return b == '\n' ? ChunkError.BadLineEnd : ChunkError.BadSize;
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsToken(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'.'
        or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
