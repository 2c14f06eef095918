using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>One response header alb sets (replacing the backend's).</summary>
public sealed record HeaderValue(string Name, string Value);

/// <summary>
/// What alb changes in the backend's answer: Set-Cookie Domain (<c>proxy-cookie-domain FROM TO</c>, whole value,
/// case-insensitive) and Path (<c>proxy-cookie-path FROM TO</c>, leading part), Location and Refresh
/// (<c>proxy-redirect-from</c> / <c>-to</c>, leading part), and extra headers (<c>custom-headers</c>).
/// </summary>
public sealed record AnswerRewritePolicy(
    string? CookieDomainFrom,
    string? CookieDomainTo,
    string? CookiePathFrom,
    string? CookiePathTo,
    string? RedirectFrom,
    string? RedirectTo,
    EquatableArray<HeaderValue> Headers);
