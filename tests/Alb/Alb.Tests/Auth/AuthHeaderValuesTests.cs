using Alb.Auth;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>The values the passed auth checks put on the upstream request: external auth's first, then JWT's claims, no nulls.</summary>
public sealed class AuthHeaderValuesTests
{
    [Fact]
    public void Lists_external_auth_then_jwt_values_in_order_without_nulls()
    {
        var answer = new AuthHeadersFeature([("X-User", "ann"), ("X-Empty", null), ("X-Group", "ops")]);
        var claims = new JwtHeadersFeature([("X-Sub", null), ("X-Tenant", "t1")]);
        Assert.Equal([("X-User", "ann"), ("X-Group", "ops"), ("X-Tenant", "t1")], Collect(answer, claims));
    }

    [Fact]
    public void Lists_nothing_or_one_side_when_a_check_is_absent_or_empty()
    {
        Assert.Empty(Collect(null, null));
        Assert.Empty(Collect(new AuthHeadersFeature([]), new JwtHeadersFeature([("X-Sub", null)])));
        Assert.Equal([("X-Tenant", "t1")], Collect(null, new JwtHeadersFeature([("X-Tenant", "t1")])));
        Assert.Equal([("X-User", "ann")], Collect(new AuthHeadersFeature([("X-User", "ann")]), null));
    }

    private static List<(string Name, string Value)> Collect(AuthHeadersFeature? answer, JwtHeadersFeature? claims)
    {
        var values = new List<(string, string)>();
        foreach (var pair in AuthHeaderNames.Values(answer, claims))
        {
            values.Add(pair);
        }

        return values;
    }
}
