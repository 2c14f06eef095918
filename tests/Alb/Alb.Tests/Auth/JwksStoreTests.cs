using System.Net;
using System.Security.Cryptography;
using Alb.Auth;
using Alb.Core.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>The JWKS cache's schedule on a hand-driven clock: refresh every 5 min, unknown kids at most once per 30 s, retries with backoff, last good keys kept, bounds, the 5 s fetch timeout.</summary>
public sealed class JwksStoreTests
{
    private static readonly string Keys = Jwks();

    [Fact]
    public async Task Fetches_at_creation_then_every_five_minutes()
    {
        var (time, issuer, store) = Setup();
        var source = store.Get("http://issuer/keys");
        Assert.True(await source.WaitForKeysAsync());
        Assert.Equal(1, issuer.Calls);
        Assert.Same(source, store.Get("http://issuer/keys"));

        await time.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(1, issuer.Calls);
        await time.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, issuer.Calls);
    }

    [Fact]
    public async Task Unknown_kids_refresh_at_most_once_per_30_seconds()
    {
        var (time, issuer, store) = Setup();
        var source = store.Get("http://issuer/keys");
        await source.WaitForKeysAsync();
        Assert.True(await source.RefreshForUnknownKidAsync());
        Assert.Equal(2, issuer.Calls);
        Assert.False(await source.RefreshForUnknownKidAsync());
        Assert.Equal(2, issuer.Calls);
        await time.AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.False(await source.RefreshForUnknownKidAsync());
        Assert.Equal(2, issuer.Calls);
        await time.AdvanceAsync(TimeSpan.FromSeconds(2));
        await source.RefreshForUnknownKidAsync();
        Assert.Equal(3, issuer.Calls);
    }

    [Fact]
    public async Task A_failed_fetch_keeps_the_last_good_keys_and_retries_with_backoff()
    {
        var (time, issuer, store) = Setup();
        var source = store.Get("http://issuer/keys");
        await source.WaitForKeysAsync();
        var good = source.Keys;
        issuer.Status = HttpStatusCode.InternalServerError;
        await time.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(2, issuer.Calls);
        Assert.Same(good, source.Keys);
        await time.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(3, issuer.Calls);
        await time.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(3, issuer.Calls); // the second retry waits 2 s
        await time.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(4, issuer.Calls);
        Assert.Same(good, source.Keys);
    }

    [Theory]
    [InlineData("oversized")]
    [InlineData("not-json")]
    [InlineData("only-oct")]
    [InlineData("only-ed448")]
    [InlineData("ed25519-not-a-point")]
    [InlineData("status")]
    public async Task Bad_answers_give_no_keys(string kind)
    {
        var (_, issuer, store) = Setup();
        issuer.Body = kind switch
        {
            "oversized" => "{\"keys\":[" + new string(' ', 1024 * 1024) + "]}",
            "not-json" => "<html>",
            "only-oct" => "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
            "only-ed448" => "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA\"}]}",
            "ed25519-not-a-point" => "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
            _ => Keys,
        };
        issuer.Status = kind == "status" ? HttpStatusCode.NotFound : HttpStatusCode.OK;
        var source = store.Get("http://issuer/keys");
        Assert.False(await source.WaitForKeysAsync());
        Assert.Null(source.Keys);
    }

    [Fact]
    public async Task Retain_stops_sources_no_route_uses()
    {
        var (time, issuer, store) = Setup();
        var source = store.Get("http://issuer/keys");
        await source.WaitForKeysAsync();
        store.Retain(new HashSet<string>());
        await time.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(1, issuer.Calls);
        Assert.NotSame(source, store.Get("http://issuer/keys"));
    }

    [Fact]
    public async Task An_issuer_that_never_answers_makes_the_route_answer_503_after_5_s_when_no_keys_were_ever_fetched()
    {
        var time = new FakeTimeProvider();
        var issuer = new SilentIssuer();
        using var store = new JwksStore(time, NullLogger.Instance, new HttpMessageInvoker(issuer));
        var check = new JwtCheck(new JwtPolicy("https://login.example.com/") { Audiences = ["api"], JwksUrl = "http://issuer/keys" }, store.Get("http://issuer/keys"));
        await issuer.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the fetch started at creation is waiting for its answer

        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer a.b.c";
        var answer = check.CheckAsync(context).AsTask();
        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1)); // 5 s as documented, not the constant
        await Task.Delay(100);
        Assert.False(answer.IsCompleted, "answered before the 5 s fetch timeout");

        time.Advance(TimeSpan.FromMilliseconds(1));
        var verdict = await answer.WaitAsync(TimeSpan.FromSeconds(2)); // the fake clock ends the fetch, not the wall clock
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, verdict.Status);
        Assert.True(issuer.Cancelled, "the fetch was not cancelled");
    }

    private static (ManualTime Time, FakeIssuer Issuer, JwksStore Store) Setup()
    {
        var time = new ManualTime();
        var issuer = new FakeIssuer { Body = Keys };
        return (time, issuer, new JwksStore(time, NullLogger.Instance, new HttpMessageInvoker(issuer)));
    }

    private static string Jwks()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        return $"{{\"keys\":[{{\"kty\":\"RSA\",\"kid\":\"a\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}]}}";
    }

    private sealed class FakeIssuer : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Body { get; set; } = "";

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new HttpResponseMessage(Status) { Content = new StringContent(Body) });
        }
    }

    /// <summary>An issuer that accepts the request and never answers it.</summary>
    private sealed class SilentIssuer : HttpMessageHandler
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Cancelled { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }

            throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>A clock that moves only when told; timers fire (and their fetches are awaited) as it passes their due time.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly List<ManualTimer> _timers = [];
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(GetTimestamp());

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            timer.Change(dueTime, period);
            lock (_timers)
            {
                _timers.Add(timer);
            }

            return timer;
        }

        public async Task AdvanceAsync(TimeSpan by)
        {
            var end = GetTimestamp() + by.Ticks;
            while (true)
            {
                await Task.Delay(50); // let fetches started before finish and re-arm their timers
                ManualTimer? next;
                lock (_timers)
                {
                    next = _timers.Where(t => t.Due is { } due && due <= end).MinBy(t => t.Due);
                }

                if (next is null)
                {
                    break;
                }

                Interlocked.Exchange(ref _ticks, Math.Max(GetTimestamp(), next.Due!.Value));
                next.Fire();
            }

            Interlocked.Exchange(ref _ticks, end);
            await Task.Delay(50);
        }

        private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
        {
            public long? Due { get; private set; }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : time.GetTimestamp() + dueTime.Ticks;
                return true;
            }

            public void Fire()
            {
                Due = null;
                callback(state);
            }

            public void Dispose() => Due = null;

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
