using Alb.Auth;
using Alb.Core.Auth;
using Alb.Core.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// The CPU bounds of basic auth (docs/alb-auth.md, "CPU bound"): at most cores / 2 (at least 1)
/// hashes at a time, a request that gets no slot within 2 s is answered 503, the verified cache holds 10,000 entries
/// at most, and an unknown user costs a hash too. Hashes that block until released stand in for bcrypt; the clock is
/// a <see cref="FakeTimeProvider"/>, so no test waits 2 s.
/// </summary>
public sealed class PasswordVerifierBoundsTests
{
    // {SHA} of "secret" (htpasswd -nbs).
    private const string SecretSha = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The documented bounds, written out rather than read from the constants under test.</summary>
    private const int Cap = 10_000;
    private static readonly int Slots = Math.Max(1, Environment.ProcessorCount / 2);

    [Fact]
    public async Task At_most_Parallelism_hashes_run_at_once_and_the_others_wait_for_a_slot()
    {
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        using var gate = new GatedVerifier();
        var hash = new PasswordHash(PasswordHashKind.Bcrypt, gate, "gated");
        var n = Slots;

        var checks = Enumerable.Range(0, n + 2).Select(i => Start(verifier, hash, $"password {i}")).ToList();
        await gate.EnteredAsync(n, Patience);
        await Task.Delay(300); // room for a check beyond the cap to start, were it allowed to
        Assert.Equal(n, gate.Entered);
        Assert.DoesNotContain(checks, c => c.IsCompleted); // n hold their slots, 2 wait for one

        gate.Release(1);
        await gate.EnteredAsync(n + 1, Patience); // a freed slot goes to one waiting check
        gate.Release(n + 1);
        foreach (var check in checks)
        {
            Assert.Equal(PasswordCheck.Valid, await check.WaitAsync(Patience));
        }

        Assert.Equal(n, gate.MostAtOnce);
        Assert.Equal(n + 2, verifier.Computed);
    }

    [Fact]
    public async Task A_request_that_gets_no_slot_within_2_s_is_answered_503_and_not_let_through()
    {
        var time = new FakeTimeProvider();
        var verifier = new PasswordVerifier(time);
        using var gate = new GatedVerifier();
        var gated = new PasswordHash(PasswordHashKind.Bcrypt, gate, "gated");
        var busy = Enumerable.Range(0, Slots).Select(i => Start(verifier, gated, $"password {i}")).ToList();
        await gate.EnteredAsync(Slots, Patience);

        var check = new BasicAuthCheck(new BasicAuthPolicy("test", "default/htpasswd", [new BasicAuthUser("alice", SecretSha)]), verifier);
        var answer = check.CheckAsync(Request("alice", "secret")).AsTask();
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1)); // 2 s as documented, not the constant
        await Task.Delay(100);
        Assert.False(answer.IsCompleted, "answered before the 2 s wait for a slot ended");

        time.Advance(TimeSpan.FromMilliseconds(1));
        var verdict = await answer.WaitAsync(TimeSpan.FromSeconds(1)); // the fake clock ends the wait, not the wall clock
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, verdict.Status);
        Assert.Equal(Slots, verifier.Computed); // the refused check ran no hash

        gate.Release(Slots);
        await Task.WhenAll(busy).WaitAsync(Patience);
        Assert.True((await check.CheckAsync(Request("alice", "secret"))).Allowed); // a slot again: the same credentials pass
    }

    [Fact]
    public async Task The_cache_holds_at_most_10000_entries()
    {
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        var hash = new PasswordHash(PasswordHashKind.Sha1, new AlwaysValid(), "any");
        for (var i = 0; i <= Cap; i++)
        {
            Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, $"stored {i}", "pw"));
        }

        // 10,001 different (stored hash, password) verified: they cannot all be remembered.
        var computed = verifier.Computed;
        for (var i = 0; i <= Cap; i++)
        {
            await verifier.VerifyAsync(hash, $"stored {i}", "pw");
        }

        Assert.Equal(Cap + 1, computed);
        Assert.True(verifier.Computed > computed, "all 10,001 entries were still cached");
    }

    [Fact]
    public async Task A_full_cache_drops_expired_entries_first_and_keeps_the_fresh_ones()
    {
        var time = new FakeTimeProvider();
        var verifier = new PasswordVerifier(time);
        var hash = new PasswordHash(PasswordHashKind.Sha1, new AlwaysValid(), "any");
        const int Half = Cap / 2;
        for (var i = 0; i < Cap; i++)
        {
            if (i == Half)
            {
                time.Advance(TimeSpan.FromMinutes(3));
            }

            await verifier.VerifyAsync(hash, $"stored {i}", "pw");
        }

        time.Advance(TimeSpan.FromMinutes(3)); // the first half has expired (5 min), the second has not
        await verifier.VerifyAsync(hash, "one more", "pw");
        var computed = verifier.Computed;
        for (var i = Half; i < Cap; i++)
        {
            await verifier.VerifyAsync(hash, $"stored {i}", "pw");
        }

        Assert.Equal(computed, verifier.Computed);
    }

    [Fact]
    public async Task An_unknown_user_costs_a_hash_verification_and_never_passes()
    {
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        var check = new BasicAuthCheck(new BasicAuthPolicy("test", "default/htpasswd", [new BasicAuthUser("alice", SecretSha)]), verifier);

        Assert.Equal(StatusCodes.Status401Unauthorized, (await check.CheckAsync(Request("mallory", "guess"))).Status);
        Assert.Equal(1, verifier.Computed);

        // alice's password under another name: the decoy hash verifies it, and it still must not pass.
        Assert.Equal(StatusCodes.Status401Unauthorized, (await check.CheckAsync(Request("mallory", "secret"))).Status);
        Assert.Equal(2, verifier.Computed);
        Assert.True((await check.CheckAsync(Request("alice", "secret"))).Allowed);
    }

    private static Task<PasswordCheck> Start(PasswordVerifier verifier, PasswordHash hash, string password) =>
        Task.Factory.StartNew(() => verifier.VerifyAsync(hash, hash.Text, password).AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private static DefaultHttpContext Request(string user, string password)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));
        return context;
    }

    /// <summary>A hash that holds its thread until released (as a bcrypt check holds a core), then verifies.</summary>
    private sealed class GatedVerifier : IPasswordVerifier, IDisposable
    {
        private readonly SemaphoreSlim _gate = new(0);
        private int _entered;
        private int _running;
        private int _most;

        public int Entered => Volatile.Read(ref _entered);

        public int MostAtOnce => Volatile.Read(ref _most);

        public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8)
        {
            var running = Interlocked.Increment(ref _running);
            int most;
            while (running > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, running, most) != most)
            {
            }

            Interlocked.Increment(ref _entered);
            var released = _gate.Wait(TimeSpan.FromSeconds(30)); // never hang a test run
            Interlocked.Decrement(ref _running);
            return released;
        }

        public void Release(int count) => _gate.Release(count);

        public async Task EnteredAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Entered < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{Entered} of {count} hashes started");
                await Task.Delay(20);
            }
        }

        public void Dispose() => _gate.Dispose();
    }

    private sealed class AlwaysValid : IPasswordVerifier
    {
        public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8) => true;
    }
}
