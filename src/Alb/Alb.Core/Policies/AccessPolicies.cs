using System.Text.Json.Serialization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// ingress-nginx's <c>satisfy</c>: with <see cref="All"/> (the default) a request must pass the source ranges and every
/// authentication of the route; with <see cref="Any"/> passing one of them is enough (nginx's <c>satisfy any</c>).
/// </summary>
public enum SatisfyMode
{
    All,
    Any,
}

/// <summary>One htpasswd entry: the user and the stored hash (never printed; see <see cref="BasicAuthPolicy"/>).</summary>
public sealed record BasicAuthUser(string Name, [property: JsonIgnore] string Hash);

/// <summary>
/// <c>auth-type: basic</c>: a request needs <c>Authorization: Basic</c> with a user and password that verify against
/// <see cref="Users"/> (from <see cref="Secret"/>); 401 with <c>WWW-Authenticate: Basic realm="Realm"</c> otherwise.
/// The client's <c>Authorization</c> header never reaches the backend. <see cref="Users"/> may be empty (a Secret
/// with no valid line): nobody can log in, as in ingress-nginx.
/// </summary>
public sealed record BasicAuthPolicy(string Realm, string Secret, EquatableArray<BasicAuthUser> Users);
