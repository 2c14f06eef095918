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
    public override async ValueTask<bool> InvokeAsync(HttpContext context)
    {
        AccessVerdict refusal = default;
        var optional = 0;
        foreach (var check in checks)
        {
            var verdict = await check.CheckAsync(context).ConfigureAwait(false);
            if (check.Required)
            {
                if (!verdict.Allowed)
                {
                    await WriteAsync(context, verdict).ConfigureAwait(false);
                    return true;
                }

                continue;
            }

            optional++;
            if (verdict.Allowed)
            {
                if (mode == SatisfyMode.Any)
                {
                    return false;
                }

                continue;
            }

            if (mode == SatisfyMode.All || verdict.Status is not (401 or 403 or 302))
            {
                await WriteAsync(context, verdict).ConfigureAwait(false);
                return true;
            }

            if (refusal.Status is not (401 or 302))
            {
                refusal = verdict; // nginx keeps 401 (and the sign-in redirect it becomes) over 403
            }
        }

        if (mode == SatisfyMode.All || optional == 0)
        {
            return false;
        }

        await WriteAsync(context, refusal.Allowed ? new AccessVerdict(403) : refusal).ConfigureAwait(false);
        return true;
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
internal sealed class SourceRangeCheck(SourceRangeStep ranges) : AccessCheck
{
    public SourceRangeStep Ranges => ranges;

    public override ValueTask<AccessVerdict> CheckAsync(HttpContext context) =>
        ValueTask.FromResult(ranges.Admits(ClientAddress.Of(context)) ? AccessVerdict.Allow : new AccessVerdict(403));
}
