namespace Alb.Pipeline;

/// <summary>
/// One compiled step of a route's pipeline. Returns true when it answered the request (the pipeline stops there).
/// Steps hold no per-request state of their own and read no annotation strings: everything was decided at publish.
/// </summary>
internal abstract class RouteStep
{
    public abstract ValueTask<bool> InvokeAsync(HttpContext context);
}
