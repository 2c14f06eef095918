using System.Buffers;
using System.Net;
using Alb.Core.Policies;
using Alb.Pipeline;
using Alb.Proxy;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>
/// What the loop needs to serve a route itself, fixed at publish (<see cref="RoutePipeline.Loop"/>): the pool, the
/// upstream settings (timeouts, proxy-next-upstream), the keep-alive settings of the upstream connections, the
/// shared services (metrics, logger), and the route's steps the loop runs as the pipeline does.
/// </summary>
internal sealed record LoopRoute(BackendPool Pool, UpstreamPolicy Policy, LeanUpstream Upstream, ForwardingSettings Forwarding, ForwardServices Services, RouteTransformer Transforms)
{
    /// <summary>The route's steps before the forward (redirects, limit-rps/-rpm, allow/deny lists), in the pipeline's order: the first answer ends the request.</summary>
    public ILoopStep[] Steps { get; init; } = [];

    /// <summary>How many of <see cref="Steps"/> run before CORS: an answer of one of them has no CORS fields.</summary>
    public int CorsAt { get; init; }

    /// <summary>The route's CORS fields, when it has CORS.</summary>
    public LoopCors? Cors { get; init; }

    /// <summary>custom-headers, set on the answers of steps from Steps[CustomAt] on and on the backend's; null: none.</summary>
    public LoopFields? Custom { get; init; }

    public int CustomAt { get; init; }

    /// <summary>The canary Ingress's pool and rules (header, cookie, weight), chosen per request after the primary's 503 check; null: none.</summary>
    public Pipeline.CanarySelector? Canary { get; init; }

    /// <summary>The access phase (allow lists with basic auth or JWT, under satisfy), run before Steps[AccessAt]; null: none.</summary>
    public Auth.AccessStep? Access { get; init; }

    public int AccessAt { get; init; }

    /// <summary>proxy-read-timeout and proxy-send-timeout: the longest the backend may stay silent, as the general path's activity timeout.</summary>
    public long ActivityTicks { get; } = Math.Max(Policy.ReadTimeoutMs, Policy.SendTimeoutMs) * System.Diagnostics.Stopwatch.Frequency / 1000;

    public long ConnectTicks { get; } = Policy.ConnectTimeoutMs * System.Diagnostics.Stopwatch.Frequency / 1000;

    /// <summary>As the general path: one attempt without proxy-next-upstream, else up to the tries (0: every endpoint of the pool chosen).</summary>
    public int MaxAttempts(BackendPool pool) => Policy.NextUpstream == NextUpstream.Off ? 1
        : Policy.NextUpstreamTries == 0 ? pool.Endpoints.Length : Math.Min(Policy.NextUpstreamTries, pool.Endpoints.Length);
}

/// <summary>A client connection owned by one loop, and the exchange in flight on it.</summary>
internal sealed class LoopClient
{
    public int Fd;
    public int Slot;

    /// <summary>The epoll events the socket is watched for now.</summary>
    public uint Events;

    /// <summary>This client's index in its loop's list of clients (for the timer sweep).</summary>
    public int Index;
    public IPEndPoint? Peer;

    /// <summary>The client's address as the pipeline sees it (an IPv4-mapped address unmapped).</summary>
    public IPAddress? Address;
    public int LocalPort;

    /// <summary>A client of the HTTPS listener: its requests have the https scheme (X-Forwarded-Proto, HSTS, no ssl-redirect).</summary>
    public bool Https;

    /// <summary>The connection's TLS, on the HTTPS listener (null once closed or handed over).</summary>
    public LoopTls? Tls;

    /// <summary>Bytes read and not yet consumed; the request being parsed or served starts at 0.</summary>
    public byte[] In = [];
    public int InLength;
    public readonly Core.Http1.RequestHead Head = new();

    /// <summary>Requests served on this connection (keep-alive-requests).</summary>
    public int Requests;

    /// <summary>The client's timer (Stopwatch ticks): the header or keep-alive timeout, or a stalled send; 0: none.</summary>
    public long Deadline;
    public bool InFlight;
    public bool CloseAfter;

    /// <summary>Answered and shut for writing: what the client still sends is read and dropped until it closes or the linger ends.</summary>
    public bool Lingering;

    /// <summary>Answer bytes the client's socket did not take yet.</summary>
    public byte[]? Out;
    public int OutStart;
    public int OutLength;

    /// <summary>The exchange: set when a request is taken, cleared when its answer is done.</summary>
    public LoopUpstream? Up;
    public LoopRoute? Route;

    /// <summary>The pool the exchange goes to: the route's, or its canary's.</summary>
    public BackendPool? Pool;
    public RouteRuntime? Runtime;
    public EndpointState? Endpoint;
    public EndpointState? Previous;
    public int Attempt;
    public long Started;
    public bool IsHead;
    public string Method = "GET";

    /// <summary>proxy-next-upstream timeout may send it to another endpoint (not POST or PATCH unless non_idempotent).</summary>
    public bool Resendable;

    /// <summary>The bytes of a head and its body still being read (0: none awaited), and client-body-timeout between reads.</summary>
    public int AwaitedBytes;
    public long BodyTimeoutTicks;
    public bool AnswerStarted;

    /// <summary>The exchange is in the metrics and the access log.</summary>
    public bool Recorded;

    /// <summary>The answer is complete on the loop's side; the connection finishes once <see cref="Out"/> drains.</summary>
    public bool AnswerDone;
    public bool UpstreamReusable;
    public int Status;
    public long RequestBytes;
    public long ResponseBytes;
    public string RequestId = "";
    public string Host = "";
    public string Path = "";

    /// <summary>The client a trusted peer names (use-forwarded-headers, enable-real-ip); null: the peer is the client.</summary>
    public IPAddress? NamedClient;

    /// <summary>The request's client, as source ranges, rate limits and X-Real-IP see it.</summary>
    public IPAddress? RequestAddress => NamedClient ?? Address;

    /// <summary>What a trusted peer said (use-forwarded-headers): scheme, host, port.</summary>
    public ForwardedFeature? Forwarded;

    /// <summary>X-Forwarded-For for the backend under compute-full-forwarded-for; null: the client's address.</summary>
    public string? ForwardedFor;

    /// <summary>An HTTP/1.0 request: its answer is never chunked (close-delimited instead) and keep-alive only when asked for.</summary>
    public bool Http10;

    /// <summary>The answer carries the route's custom-headers (its own answers only from the step that sets them on).</summary>
    public bool CustomFields;

    /// <summary>The Origin the answer's CORS fields echo; null: the route has no CORS or the origin is not allowed.</summary>
    public string? CorsOrigin;

    /// <summary>The request as the route's steps see it, what the backend's head is made of, and the endpoint picked for it.</summary>
    public LoopRequest Request;
    public string? Rewritten;
    public string Query = "";
    public int BodyLength;
    public EndpointState? Picked;

    /// <summary>The access phase is deciding off the loop; the answer comes through the loop's inbox.</summary>
    public bool Waiting;

    /// <summary>Counts the connections this object served: a verdict for an earlier one is dropped.</summary>
    public int Generation;

    /// <summary>limit-connections' slot, held for the exchange's length (released in <see cref="ClearExchange"/>).</summary>
    public IDisposable? Held;

    /// <summary>A passed JWT check's claims-to-headers values for the backend.</summary>
    public Auth.JwtHeadersFeature? Claims;

    /// <summary>The request head for the backend, kept until the answer starts (a retry sends it again).</summary>
    public byte[]? UpRequest;
    public int UpRequestLength;

    /// <summary>The values of the request's fields named <paramref name="name"/>, as the general path's header dictionary has them.</summary>
    public Microsoft.Extensions.Primitives.StringValues Values(ReadOnlySpan<byte> name)
    {
        Microsoft.Extensions.Primitives.StringValues values = default;
        foreach (var field in Head.Headers)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(In.AsSpan(field.NameStart, field.NameLength), name))
            {
                values = Microsoft.Extensions.Primitives.StringValues.Concat(values, System.Text.Encoding.Latin1.GetString(In.AsSpan(field.ValueStart, field.ValueLength)));
            }
        }

        return values;
    }

    /// <summary>As <see cref="Values(ReadOnlySpan{byte})"/> for a name given as text (a field name is ASCII; a longer one than 256 matches nothing).</summary>
    /// <summary><see cref="Values(string)"/> as a delegate, made once per client object (clients are reused), not per request.</summary>
    public Func<string, Microsoft.Extensions.Primitives.StringValues> Fields => _fields ??= Values;

    private Func<string, Microsoft.Extensions.Primitives.StringValues>? _fields;

    public Microsoft.Extensions.Primitives.StringValues Values(string name)
    {
        Span<byte> bytes = stackalloc byte[256];
        return name.Length <= bytes.Length && System.Text.Ascii.FromUtf16(name, bytes, out var length) == System.Buffers.OperationStatus.Done ? Values(bytes[..length]) : default;
    }

    /// <summary>Idle between requests: the input buffer goes back to the pool (10,000 idle keep-alive clients hold none).</summary>
    public void ReleaseInput()
    {
        if (In.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(In);
            In = [];
        }
    }

    /// <summary>The connection is gone: buffers back to the pool, every field as for a new connection (the object is reused).</summary>
    public void Reset()
    {
        ClearExchange();
        ReleaseInput();
        if (Out is not null)
        {
            ArrayPool<byte>.Shared.Return(Out);
            Out = null;
        }

        Generation++;
        Requests = InLength = OutStart = OutLength = AwaitedBytes = 0;
        Deadline = 0;
        CloseAfter = Lingering = false;
        Tls = null;
        Peer = null;
        Address = null;
    }

    public void ClearExchange()
    {
        if (UpRequest is not null)
        {
            ArrayPool<byte>.Shared.Return(UpRequest);
            UpRequest = null;
        }

        Held?.Dispose();
        Held = null;
        Up = null;
        Picked = null;
        Claims = null;
        Rewritten = null;
        Waiting = false;
        CorsOrigin = null;
        CustomFields = Http10 = false;
        NamedClient = null;
        ForwardedFor = null;
        Forwarded = null;
        Route = null;
        Pool = null;
        Runtime = null;
        Endpoint = Previous = null;
        Attempt = 0;
        InFlight = AnswerStarted = AnswerDone = UpstreamReusable = Recorded = false;
        Status = 0;
        RequestBytes = ResponseBytes = 0;
    }
}
