using Alb.Core.Policies;
using Alb.Pipeline;

namespace Alb.Auth;

/// <summary>
/// What one access check decided: 0 = allowed; otherwise the status to answer (302 to a sign-in or error page,
/// 400, 401, 403, 500, 503), with a challenge, a redirect <see cref="Location"/> or a <see cref="Body"/> of its own.
/// </summary>
internal readonly record struct AccessVerdict(int Status, string? Challenge = null, string? Location = null, byte[]? Body = null)
{
    public static AccessVerdict Allow => default;

    public bool Allowed => Status == 0;
}

/// <summary>One check of nginx's access phase: source ranges, basic auth, external auth, JWT.</summary>
internal abstract class AccessCheck
{
    /// <summary>A check satisfy any cannot skip (the client certificate: nginx checks it before the access phase).</summary>
    public virtual bool Required => false;

    public abstract ValueTask<AccessVerdict> CheckAsync(HttpContext context);
}

/// <summary>
/// nginx's access phase with <c>satisfy</c>. <see cref="SatisfyMode.All"/>: the checks run in order and the first
/// refusal is the answer. <see cref="SatisfyMode.Any"/>: the first check that allows lets the request on; when none
/// does, the answer is 401 if any check asked for credentials, else 403 (nginx keeps 401 over 403). A check that
/// fails with anything but 401 or 403 (an auth service down: 500, a JWKS missing: 503) answers at once in both modes,
/// as nginx finalizes the request on such a code: an error never lets a request through. A
/// <see cref="AccessCheck.Required"/> check (the client certificate) must pass in both modes and does not count as
/// the one passed check of satisfy any.
/// </summary>
internal sealed class AccessStep(AccessCheck[] checks, SatisfyMode mode) : RouteStep
{
    /// <summary>Whether the front end's loop can decide it: every check is one it runs (<see cref="ILoopCheck"/>).</summary>
    public bool LoopCapable { get; } = checks.All(c => c is ILoopCheck { LoopCapable: true });

    public override async ValueTask<bool> InvokeAsync(HttpContext context)
    {
        var verdict = await DecideAsync(context).ConfigureAwait(false);
        if (verdict.Allowed)
        {
            return false;
        }

        await WriteAsync(context, verdict).ConfigureAwait(false);
        return true;
    }

    /// <summary>The access phase's outcome: <see cref="AccessVerdict.Allow"/> or the refusal to answer with.</summary>
    public async ValueTask<AccessVerdict> DecideAsync(HttpContext context)
    {
        var tally = new AccessTally(mode);
        foreach (var check in checks)
        {
            if (tally.Settles(check.Required, await check.CheckAsync(context).ConfigureAwait(false), out var final))
            {
                return final;
            }
        }

        return tally.Result;
    }

    /// <summary>
    /// The same outcome decided on the front end's loop without waiting, or null when a check must wait (a password
    /// or token not verified before, keys not fetched yet): the loop then runs <see cref="DecideAsync"/> off its thread.
    /// </summary>
    public AccessVerdict? Decide(LoopAccessRequest request)
    {
        var tally = new AccessTally(mode);
        foreach (var check in checks)
        {
            if (((ILoopCheck)check).Decide(request) is not { } verdict)
            {
                return null;
            }

            if (tally.Settles(check.Required, verdict, out var final))
            {
                return final;
            }
        }

        return tally.Result;
    }

    private static Task WriteAsync(HttpContext context, AccessVerdict verdict)
    {
        if (verdict.Location is { } location)
        {
            Answers.Redirect(context, verdict.Status, location);
            return Task.CompletedTask;
        }

        if (verdict.Body is { } body)
        {
            return Answers.WriteBodyAsync(context, verdict.Status, body);
        }

        if (verdict.Challenge is { } challenge)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        return Answers.WriteStatusAsync(context, verdict.Status);
    }
}

/// <summary>allow/deny lists as a check of the access phase (403).</summary>
internal sealed class SourceRangeCheck(SourceRangeStep ranges) : AccessCheck, ILoopCheck
{
    public SourceRangeStep Ranges => ranges;

    public AccessVerdict? Decide(LoopAccessRequest request) => ranges.Admits(request.Client) ? AccessVerdict.Allow : new AccessVerdict(403);

    public override ValueTask<AccessVerdict> CheckAsync(HttpContext context) =>
        ValueTask.FromResult(ranges.Admits(ClientAddress.Of(context)) ? AccessVerdict.Allow : new AccessVerdict(403));
}

/// <summary>satisfy's arithmetic over the checks' verdicts in order (one place for the general path and the loop).</summary>
internal struct AccessTally(SatisfyMode mode)
{
    private AccessVerdict _refusal;
    private int _optional;

    /// <summary>Whether <paramref name="verdict"/> decides the request (then <paramref name="final"/> is the outcome).</summary>
    public bool Settles(bool required, AccessVerdict verdict, out AccessVerdict final)
    {
        final = verdict;
        if (required)
        {
            return !verdict.Allowed;
        }

        _optional++;
        if (verdict.Allowed)
        {
            return mode == SatisfyMode.Any;
        }

        if (mode == SatisfyMode.All || verdict.Status is not (401 or 403 or 302))
        {
            return true;
        }

        if (_refusal.Status is not (401 or 302))
        {
            _refusal = verdict; // nginx keeps 401 (and the sign-in redirect it becomes) over 403
        }

        return false;
    }

    /// <summary>The outcome once every check ran without settling it.</summary>
    public readonly AccessVerdict Result =>
        mode == SatisfyMode.All || _optional == 0 ? AccessVerdict.Allow : _refusal.Allowed ? new AccessVerdict(403) : _refusal;
}

/// <summary>A check the front end's loop runs itself (docs/performance.md, step 5).</summary>
internal interface ILoopCheck
{
    /// <summary>Whether this instance can be decided from what <see cref="LoopAccessRequest"/> carries.</summary>
    bool LoopCapable => true;

    /// <summary>The verdict when it needs no waiting; null when it does (a cache miss), never a guess.</summary>
    AccessVerdict? Decide(LoopAccessRequest request);
}

/// <summary>What a loop check sees of a request: the client, Host as sent, the fields as sent; and what a passed JWT check hands on.</summary>
internal sealed class LoopAccessRequest
{
    public System.Net.IPAddress? Client { get; set; }

    public string Host { get; set; } = "";

    /// <summary>The values of the request's fields of a name, as the general path's header dictionary has them.</summary>
    public required Func<string, Microsoft.Extensions.Primitives.StringValues> Fields { get; init; }

    /// <summary>Set by a JWT check that passed with claims-to-headers.</summary>
    public JwtHeadersFeature? Claims { get; set; }
}
