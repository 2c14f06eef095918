namespace Alb.Fast;

/// <summary>
/// The HTTPS listener's loops. Each client's ClientHello is read first: one that offers HTTP/2 (ALPN), or is not TLS,
/// goes to Kestrel's own TLS untouched (HTTP/2 is Kestrel's, and costs there what it always cost). The others get
/// their TLS (<see cref="LoopTls"/>) on the loop's thread: the handshake and the records' decryption happen as the
/// ciphertext arrives; the plaintext is served as on a plain connection, an answer encrypted into one buffer and sent
/// with one call; a request the loop does not serve goes to Kestrel decrypted.
/// </summary>
internal sealed unsafe partial class FrontEndLoop
{
    /// <summary>As Kestrel's HTTPS listener: a client that does not finish its handshake in this time is dropped.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>One answer's records, sent together (SslStream writes one record per 16 KiB).</summary>
    private byte[] _sealed = [];
    private int _sealedLength;
    private bool _sealing;

    /// <summary>A new HTTPS client: its ClientHello is awaited (the handshake's time starts now).</summary>
    private static void AwaitHello(LoopClient client) => client.Deadline = Now + Ticks(HandshakeTimeout);

    /// <summary>
    /// Reads the client's first bytes until its ClientHello is whole: HTTP/2 offered, or not TLS, the raw connection
    /// goes to Kestrel's TLS; else the loop's own TLS starts with those bytes.
    /// </summary>
    private void ReadHello(LoopClient client)
    {
        var n = Receive(client);
        if (n <= 0)
        {
            return;
        }

        client.InLength += n;
        var hello = Core.Tls.ClientHello.TryRead(client.In.AsSpan(0, client.InLength), out _, out var http2);
        if (hello == Core.Tls.ClientHelloResult.NeedMore && client.InLength < Core.Tls.ClientHello.MaxHello + 1024)
        {
            return;
        }

        if (hello != Core.Tls.ClientHelloResult.Complete || http2)
        {
            HandOver(client, http2 ? "h2" : "not_tls"); // Kestrel's TLS reads the hello again from the bytes given
            return;
        }

        LoopTls? tls = null;
        var cipher = new LoopCipher(data => Sealed(client, tls!, data));
        var read = client.In.AsSpan(0, client.InLength);
        read.CopyTo(cipher.Space(read.Length).Span);
        tls = new LoopTls(cipher, _publisher); // the handshake starts: it reads the hello right away
        client.Tls = tls;
        client.InLength = 0;
        client.ReleaseInput();
        cipher.Commit(read.Length);
        Pump(client, tls);
    }

    /// <summary>The client's socket has bytes: they go to its SslStream, then its plaintext is read as on a plain connection.</summary>
    private void ReadTls(LoopClient client, LoopTls tls)
    {
        var n = ReceiveInto(client, tls.Cipher.Space(LoopCipher.ReceiveBytes).Span);
        if (n < 0)
        {
            return;
        }

        tls.Cipher.Commit(n);
        if (n > 0)
        {
            Pump(client, tls);
        }
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
                // The handshake is done (HTTP/1.1: a client offering h2 went to Kestrel's TLS): the request's time starts.
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
