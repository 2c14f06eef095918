using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Alb.Fast;

/// <summary>
/// A TLS connection the loop handshook, handed to Kestrel decrypted (HTTP/2, or a request the loop does not serve):
/// Kestrel's TLS-less HTTPS endpoint reads the plaintext through it, and takes the scheme, the protocol (ALPN) and the
/// client's certificate from the TLS features it carries, as from a connection its own TLS middleware made.
/// </summary>
internal sealed class DecryptedConnection : ConnectionContext, ITlsConnectionFeature, ITlsApplicationProtocolFeature, ITlsHandshakeFeature, IMemoryPoolFeature, IConnectionItemsFeature, IConnectionIdFeature, IConnectionEndPointFeature, IConnectionLifetimeFeature
{
    private static long _nextId;
    private readonly SslStream _ssl;
    private readonly CancellationTokenSource _closed = new();
    private int _disposed;

    /// <param name="quiet">Completes when SslStream is free for reads (the loop's last wait finished).</param>
    public DecryptedConnection(LoopTls tls, byte[] alreadyRead, Task quiet, EndPoint? local, EndPoint? remote, MemoryPool<byte> pool)
    {
        _ssl = tls.Ssl;
        MemoryPool = pool;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        ConnectionId = $"alb-tls-{Interlocked.Increment(ref _nextId):x}";
        ClientCertificate = _ssl.RemoteCertificate switch
        {
            null => null,
            X509Certificate2 full => full,
            var other => X509CertificateLoader.LoadCertificate(other.GetRawCertData()),
        };
        var stream = new AfterQuiet(_ssl, quiet);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(pool, bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, minimumBufferSize: 4096, leaveOpen: true));
        Transport = new FastListener.DuplexPipe(alreadyRead.Length > 0 ? new PrefixedPipeReader(alreadyRead, input) : input, output);
        Features.Set<ITlsConnectionFeature>(this);
        Features.Set<ITlsApplicationProtocolFeature>(this);
        Features.Set<ITlsHandshakeFeature>(this);
        Features.Set<IMemoryPoolFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        if (tls.Remembered is { } remembered)
        {
            Features.Set(remembered);
            Items[typeof(Tls.ClientCertHandshake.ClientCertConnection)] = remembered;
        }
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get => _closed.Token; set => throw new NotSupportedException(); }

    public MemoryPool<byte> MemoryPool { get; }

    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    public ReadOnlyMemory<byte> ApplicationProtocol => _ssl.NegotiatedApplicationProtocol.Protocol;

    public SslProtocols Protocol => _ssl.SslProtocol;

    public TlsCipherSuite? NegotiatedCipherSuite => _ssl.NegotiatedCipherSuite;

    public string HostName => _ssl.TargetHostName;

#pragma warning disable SYSLIB0058 // the feature's obsolete members, answered as Kestrel's own TLS feature answers them
    public CipherAlgorithmType CipherAlgorithm => _ssl.CipherAlgorithm;

    public int CipherStrength => _ssl.CipherStrength;

    public HashAlgorithmType HashAlgorithm => _ssl.HashAlgorithm;

    public int HashStrength => _ssl.HashStrength;

    public ExchangeAlgorithmType KeyExchangeAlgorithm => _ssl.KeyExchangeAlgorithm;

    public int KeyExchangeStrength => _ssl.KeyExchangeStrength;
#pragma warning restore SYSLIB0058

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _ssl.Dispose(); // the socket with it: Kestrel's reads and writes end
        if (Volatile.Read(ref _disposed) == 0)
        {
            _closed.Cancel();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await base.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await Transport.Input.CompleteAsync().ConfigureAwait(false);
        await Transport.Output.CompleteAsync().ConfigureAwait(false);
        await _ssl.DisposeAsync().ConfigureAwait(false);
        await _closed.CancelAsync().ConfigureAwait(false);
        _closed.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The SslStream, its first read after the loop's last wait ended (SslStream takes one read at a time).</summary>
    private sealed class AfterQuiet(SslStream ssl, Task quiet) : AsyncOnlyStream
    {
        private Task? _quiet = quiet.IsCompleted ? null : quiet;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_quiet is { } waiting)
            {
                try
                {
                    await waiting.WaitAsync(cancellationToken).ConfigureAwait(false); // a read timeout (client-body-timeout) still cancels
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or AuthenticationException)
                {
                    return 0; // the wait failed: the connection is over
                }

                _quiet = null;
            }

            return await ssl.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ssl.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => ssl.FlushAsync(cancellationToken);

        public override void Flush() => ssl.Flush();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("write asynchronously only");
    }
}
