using System.Text;
using Alb.Pipeline;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>Which of a route's steps the loop runs itself (step 5 of the plan in docs/performance.md).</summary>
internal static class LoopSteps
{
    /// <summary>
    /// The steps the loop runs for <paramref name="steps"/>, in their order; null when one is not the loop's: one that
    /// waits on another service (external auth) or needs more than the request's address, Host and target (the www
    /// twin server, custom headers, a denied location's fixed answer). limit-connections is the loop's: its slot is
    /// held by the client's exchange (<see cref="LoopClient.Held"/>) and released when the exchange ends.
    /// CORS is the loop's too: its fields are decided per request from Origin (<see cref="LoopCors"/>), and its
    /// preflight's 204 comes with an OPTIONS, which the loop hands over. So is the access phase when each of its
    /// checks is a loop check (allow lists, basic auth, JWT from a header): <paramref name="access"/>, run before the
    /// step at <paramref name="accessAt"/>, decided on the loop from the verified-credential caches, off it on a miss.
    /// </summary>
    public static ILoopStep[]? From(IReadOnlyList<RouteStep> steps, out int corsAt, out Auth.AccessStep? access, out int accessAt, out LoopFields? custom, out int customAt)
    {
        var loop = new List<ILoopStep>();
        corsAt = accessAt = customAt = 0;
        access = null;
        custom = null;
        foreach (var step in steps)
        {
            switch (step)
            {
                case AnswerRewriter { HeadersOnly: true } rewriter:
                    custom = new LoopFields(rewriter.Headers.Select(h => (h.Name, (string?)h.Value)));
                    customAt = loop.Count;
                    break;
                case CorsStep:
                    corsAt = loop.Count;
                    break;
                case Auth.AccessStep { LoopCapable: true } checks:
                    access = checks;
                    accessAt = loop.Count;
                    break;
                case ILoopStep own:
                    loop.Add(own);
                    break;
                default:
                    return null;
            }
        }

        return [.. loop];
    }
}

/// <summary>Fields alb sets on a route's answers as the loop writes them: the fixed ones in bytes, and the names they replace in the backend's answer (nginx's more_set_headers).</summary>
internal class LoopFields
{
    /// <param name="fields">Names and values; a null value is a name replaced whose value is written per answer.</param>
    public LoopFields(IEnumerable<(string Name, string? Value)> fields)
    {
        var list = fields.ToList();
        Replaced = new AsciiNames(list.Select(f => f.Name));
        Fixed = Encoding.ASCII.GetBytes(string.Concat(list.Where(f => f.Value is not null).Select(f => $"{f.Name}: {f.Value}\r\n")));
    }

    /// <summary>The backend's fields of these names give way to alb's.</summary>
    public AsciiNames Replaced { get; }

    /// <summary>The fields with a fixed value, in bytes.</summary>
    public byte[] Fixed { get; }
}

/// <summary>A route's CORS fields: every one fixed but Access-Control-Allow-Origin, which echoes the request's origin.</summary>
internal sealed class LoopCors(CorsStep step) : LoopFields(step.Fields())
{
    public CorsStep Step { get; } = step;
}
