using System.Net.Security;
using System.Net.Sockets;
using Alb.Proxy;
using Alb.Tls;

namespace Alb.Fast;

/// <summary>
/// TLS of one client connection on a loop, with .NET's own SslStream (OpenSSL underneath) over a stream the loop
/// feeds (<see cref="LoopCipher"/>): the loop recv()s the ciphertext, hands it over, and SslStream's awaits continue
/// inline on the loop's thread, so the handshake and each record's decryption happen there, without a thread hop. The
/// loop never leaves a read pending on a buffer of its own: it waits with a zero-byte read (which holds no buffer:
/// 10,000 idle connections hold none) and reads the plaintext only once SslStream has it, synchronously.
/// </summary>
internal sealed class LoopTls
{
    private readonly Task _handshake;
    private ValueTask<int> _wait;
    private bool _waiting;
    private bool _open;

    public LoopTls(LoopCipher cipher, ConfigPublisher publisher)
    {
        Cipher = cipher;
        Ssl = new SslStream(cipher, leaveInnerStreamOpen: false);
        _handshake = Ssl.AuthenticateAsServerAsync(
            (_, hello, _, _) =>
            {
                var state = publisher.Current;
                var options = ClientCertHandshake.Apply(ServerTlsOptions.For(state, hello.ServerName), state, hello.ServerName, out var remembered);
                Remembered = remembered;
                return ValueTask.FromResult(options);
            },
            null,
            CancellationToken.None);
    }

    public enum Progress
    {
        /// <summary>Waiting for more ciphertext (the handshake, or the next record).</summary>
        Blocked,

        /// <summary>Plaintext (or the end of the stream) is there: <see cref="Read"/> takes it without waiting.</summary>
        Readable,

        /// <summary>The handshake or a record failed: the connection is closed with a reset.</summary>
        Failed,
    }

    public SslStream Ssl { get; }

    public LoopCipher Cipher { get; }

    /// <summary>The SNI name and the client-certificate policy the handshake applied (set during the handshake).</summary>
    public ClientCertHandshake.ClientCertConnection? Remembered { get; private set; }

    public bool Open => _open;

    /// <summary>Moves the handshake or the wait for plaintext on with what was fed; starts a wait when none is pending.</summary>
    public Progress Advance()
    {
        if (Cipher.Broken)
        {
            return Progress.Failed;
        }

        if (!_open)
        {
            if (!_handshake.IsCompleted)
            {
                return Progress.Blocked;
            }

            if (!_handshake.IsCompletedSuccessfully)
            {
                _ = _handshake.Exception; // observed: a failed handshake is the client's business, closed with a reset
                return Progress.Failed;
            }

            _open = true;
        }

        if (!_waiting)
        {
            try
            {
#pragma warning disable CA2012 // consumed exactly once: below, or by the next Advance once complete
                _wait = Ssl.ReadAsync(Memory<byte>.Empty);
#pragma warning restore CA2012
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
            {
                return Progress.Failed;
            }

            _waiting = true;
        }

        if (!_wait.IsCompleted)
        {
            return Progress.Blocked;
        }

        _waiting = false;
        try
        {
            _wait.GetAwaiter().GetResult();
            return Progress.Readable;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            return Progress.Failed;
        }
    }

    /// <summary>After <see cref="Progress.Readable"/>: the plaintext SslStream holds, into <paramref name="into"/>; 0 at the end of the stream, -1 when it failed.</summary>
    public int Read(Memory<byte> into)
    {
        try
        {
            var read = Ssl.ReadAsync(into);
            if (!read.IsCompleted)
            {
                // Not expected after a completed zero-byte read (SslStream has the record decrypted, or saw the end);
                // a read left pending would write into a buffer the loop reuses: the connection goes.
                Cipher.Broken = true;
                _ = read.AsTask();
                return -1;
            }

            return read.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException or NotSupportedException)
        {
            return -1;
        }
    }

    /// <summary>Encrypts <paramref name="plain"/>: its records go to the loop's output (<see cref="LoopCipher"/>); false when it failed.</summary>
    public bool Write(ReadOnlySpan<byte> plain)
    {
        try
        {
            Ssl.Write(plain);
            return !Cipher.Broken;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The connection closes: close_notify (when it can go without waiting), then SslStream's resources freed.</summary>
    public void Close(bool notify)
    {
        if (notify && _open && !Cipher.Broken)
        {
            try
            {
                var shutdown = Ssl.ShutdownAsync(); // written through the loop's output at once: completes here
                if (!shutdown.IsCompleted)
                {
                    _ = shutdown.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
            {
                // closing anyway
            }
        }

        Cipher.EndOfInput(); // a wait still pending ends (SslStream returns its buffers)
        Ssl.Dispose();
        if (!_handshake.IsCompleted)
        {
            _ = _handshake.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The hand-over of the decrypted connection: the ciphertext is read from <paramref name="socket"/> from now on,
    /// asynchronously. Returns when SslStream is free for Kestrel's reads (a wait still pending finishes first).
    /// </summary>
    public Task Detach(Socket socket)
    {
        var quiet = _waiting ? _wait.AsTask() : Task.CompletedTask;
        _waiting = false;
        Cipher.Detach(socket);
        return quiet;
    }
}
