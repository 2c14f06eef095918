namespace Alb.Core.Auth;

/// <summary>
/// An entry of htpasswd data that was not taken: its line (1-based; 0 for an <c>auth-map</c> entry), its user
/// (empty when the line has none, control characters shown as '?') and why. Never holds a hash.
/// </summary>
public sealed record HtpasswdProblem(int Line, string User, string Reason);
