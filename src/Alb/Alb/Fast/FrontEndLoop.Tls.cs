using System.Runtime.InteropServices;

namespace Alb.Fast;

/// <summary>
/// The HTTPS listener's loops: each client's TLS (<see cref="LoopTls"/>) on the loop's thread. The handshake and the
/// records' decryption happen as the ciphertext arrives; the plaintext is then served as on a plain connection, and
/// an answer is encrypted into one buffer and sent with one call. HTTP/2 (ALPN) and requests the loop does not serve
/// go to Kestrel decrypted.
/// </summary>
internal sealed unsafe partial class FrontEndLoop
{
    /// <summary>As Kestrel's HTTPS listener: a client that does not finish its handshake in this time is dropped.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>One answer's records, sent together (SslStream writes one record per 16 KiB).</summary>
    private byte[] _sealed = [];
    private int _sealedLength;
    private bool _sealing;

    private void StartTls(LoopClient client)
    {
        LoopTls? tls = null;
        var cipher = new LoopCipher(data => Sealed(client, tls!, data));
        tls = new LoopTls(cipher, _publisher);
        client.Tls = tls;
        client.Deadline = Now + Ticks(HandshakeTimeout);
    }

    /// <summary>The client's socket has bytes: they go to its SslStream, then its plaintext is read as on a plain connection.</summary>
    private void ReadTls(LoopClient client, LoopTls tls)
    {
        var space = tls.Cipher.Space(LoopCipher.ReceiveBytes);
        nint n;
        fixed (byte* buffer = space.Span)
        {
            n = Native.recv(client.Fd, buffer, space.Length, 0);
        }

        if (n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain)
        {
            tls.Cipher.Commit(0);
            return;
        }

        if (n <= 0)
        {
            Close(client, reset: false);
            return;
        }

        tls.Cipher.Commit((int)n);
        Pump(client, tls);
    }

    /// <summary>Takes the plaintext SslStream has, request by request, until it has none or a request is in flight.</summary>
    private void Pump(LoopClient client, LoopTls tls)
    {
        while (client.Tls == tls && !client.InFlight && !client.Lingering)
        {
            var opened = tls.Open;
            var progress = tls.Advance();
            if (progress == LoopTls.Progress.Failed)
            {
                Close(client, reset: true);
                return;
            }

            if (!opened && tls.Open)
            {
                if (tls.Http2)
                {
                    HandOver(client, "h2"); // Kestrel's HTTP/2, on this connection decrypted
                    return;
                }

                client.Deadline = Now + Ticks(_settings.HeaderTimeout);
            }

            if (progress == LoopTls.Progress.Blocked || !Room(client))
            {
                return;
            }

            var read = tls.Read(client.In.AsMemory(client.InLength));
            if (read <= 0)
            {
                Close(client, reset: read < 0);
                return;
            }

            if (client.InLength == 0)
            {
                client.Deadline = Now + Ticks(_settings.HeaderTimeout); // the head's time starts with its first byte
            }

            client.InLength += read;
            Process(client);
        }
    }

    /// <summary>The TLS client's records for its answer, or the handshake's and close_notify's: batched while an answer is sealed, else sent.</summary>
    private void Sealed(LoopClient client, LoopTls tls, ReadOnlySpan<byte> data)
    {
        if (client.Tls != tls)
        {
            tls.Cipher.Broken = true; // the connection is gone (or Kestrel's now): nothing more goes from here
            return;
        }

        if (!_sealing)
        {
            if (Put(client, data) == Sent.Gone)
            {
                tls.Cipher.Broken = true;
            }

            return;
        }

        if (_sealedLength + data.Length > _sealed.Length)
        {
            var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(_sealedLength + data.Length, _out.Length + (8 * 1024)));
            _sealed.AsSpan(0, _sealedLength).CopyTo(bigger);
            _sealed = bigger;
        }

        data.CopyTo(_sealed.AsSpan(_sealedLength));
        _sealedLength += data.Length;
    }

    /// <summary>Encrypts an answer's bytes and sends its records with one call.</summary>
    private Sent Seal(LoopClient client, LoopTls tls, ReadOnlySpan<byte> plain)
    {
        _sealing = true;
        _sealedLength = 0;
        bool written;
        try
        {
            written = tls.Write(plain);
        }
        finally
        {
            _sealing = false;
        }

        return written ? Put(client, _sealed.AsSpan(0, _sealedLength)) : Sent.Gone;
    }
}
