using System.Collections.Concurrent;
using Alb.Core.Auth;

namespace Alb.Auth;

/// <summary>
/// Verifies basic-auth passwords without letting a flood burn the CPU. A password that verified is remembered for
/// <see cref="CacheLifetime"/> under a keyed hash of (stored hash, password) (<see cref="CacheKeys"/>), so the cache holds
/// no password and a changed hash never matches an old entry; the cache is bounded. Verifications that miss the cache
/// (bcrypt and SHA-crypt cost milliseconds) run at most <see cref="Parallelism"/> at a time; a request that cannot get
/// a slot within <see cref="QueueTimeout"/> is refused (503), never let through.
/// </summary>
#pragma warning disable CA1001 // the semaphore's wait handle is never used, so it holds nothing to dispose; one verifier lives as long as the process
internal sealed class PasswordVerifier(TimeProvider time)
#pragma warning restore CA1001
{
    public const int MaxEntries = 10_000;
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(2);
    public static readonly int Parallelism = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly ConcurrentDictionary<UInt128, long> _verified = new();
    private readonly SemaphoreSlim _slots = new(Parallelism, Parallelism);

    /// <summary>Verifications that ran the hash (cache misses).</summary>
    public long Computed => Interlocked.Read(ref _computed);

    private long _computed;

    public async ValueTask<PasswordCheck> VerifyAsync(PasswordHash hash, string storedHash, string password)
    {
        var key = CacheKeys.Of(storedHash, password);
        var now = time.GetTimestamp();
        if (Remembered(key, now))
        {
            return PasswordCheck.Valid;
        }

        if (!_slots.Wait(0) && !await WaitForSlotAsync().ConfigureAwait(false))
        {
            return PasswordCheck.Busy;
        }

        bool valid;
        try
        {
            Interlocked.Increment(ref _computed);
            valid = hash.Verify(password);
        }
        finally
        {
            _slots.Release();
        }

        if (valid)
        {
            if (_verified.Count >= MaxEntries)
            {
                Prune(now);
            }

            _verified[key] = now + (long)(CacheLifetime.TotalSeconds * time.TimestampFrequency);
        }

        return valid ? PasswordCheck.Valid : PasswordCheck.Invalid;
    }

    /// <summary>Whether this password verified against this stored hash within <see cref="CacheLifetime"/> (no hash is computed).</summary>
    public bool IsRemembered(string storedHash, string password) => Remembered(CacheKeys.Of(storedHash, password), time.GetTimestamp());

    private bool Remembered(UInt128 key, long now) => _verified.TryGetValue(key, out var until) && now < until;

    /// <summary>Waits for a slot at most <see cref="QueueTimeout"/> on the injected clock; false when none came.</summary>
    private async Task<bool> WaitForSlotAsync()
    {
        using var timeout = new CancellationTokenSource(QueueTimeout, time);
        var wait = _slots.WaitAsync(timeout.Token);
        await wait.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return wait.IsCompletedSuccessfully;
    }

    private void Prune(long now)
    {
        foreach (var (key, until) in _verified)
        {
            if (until <= now)
            {
                _verified.TryRemove(key, out _);
            }
        }

        if (_verified.Count >= MaxEntries)
        {
            _verified.Clear(); // all fresh: start over rather than grow
        }
    }
}

/// <summary>The outcome of one password check.</summary>
internal enum PasswordCheck
{
    Valid,
    Invalid,
    Busy,
}
