using System.Text;
using Alb.Core.Auth;
using Xunit;

namespace Alb.Core.Tests.Auth;

public sealed class HtpasswdTests
{
    private const string Apr1 = "$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0";
    private const string Md5 = "$1$rasmusle$rISCgZzpwk3UhDidwXvin0";
    private const string Sha = "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ=";

    [Fact]
    public void Accepts_users_and_skips_comments_and_blank_lines()
    {
        var file = Htpasswd.Parse($"# made by htpasswd\n\nalice:{Apr1}\n   \nbob:{Md5}:Bob, room 4\n#carol:{Sha}\n");

        Assert.Empty(file.Problems);
        Assert.Equal(["alice", "bob"], file.Users.Keys.Order(StringComparer.Ordinal));
        Assert.True(file.Users["alice"].Verify("myPassword"));
        Assert.True(file.Users["bob"].Verify("rasmuslerdorf"));
        Assert.Equal(PasswordHashKind.Md5Crypt, file.Users["bob"].Kind);
    }

    [Fact]
    public void Accepts_crlf_line_endings_and_a_last_line_without_one()
    {
        var file = Htpasswd.Parse($"alice:{Apr1}\r\nbob:{Sha}");

        Assert.Empty(file.Problems);
        Assert.True(file.Users["alice"].Verify("myPassword"));
        Assert.True(file.Users["bob"].Verify("pass"));
    }

    [Fact]
    public void Keeps_the_first_entry_of_a_duplicate_user()
    {
        var file = Htpasswd.Parse($"alice:{Apr1}\nbob:{Sha}\nalice:{Sha}\n");

        Assert.True(file.Users["alice"].Verify("myPassword"));
        Assert.False(file.Users["alice"].Verify("pass"));
        var problem = Assert.Single(file.Problems);
        Assert.Equal(new HtpasswdProblem(3, "alice", "duplicate user; the entry on line 1 is used"), problem);
    }

    [Fact]
    public void Denies_a_user_whose_first_entry_is_refused()
    {
        var file = Htpasswd.Parse($"alice:{{PLAIN}}secret\nalice:{Sha}\n");

        Assert.Empty(file.Users);
        Assert.Equal(2, file.Problems.Count);
        Assert.Equal((1, "alice"), (file.Problems[0].Line, file.Problems[0].User));
        Assert.Contains("{PLAIN}", file.Problems[0].Reason, StringComparison.Ordinal);
        Assert.Equal(new HtpasswdProblem(2, "alice", "duplicate user; the entry on line 1 is used"), file.Problems[1]);
    }

    [Fact]
    public void Reports_bad_lines_with_their_numbers()
    {
        var content = string.Join('\n',
            "# users",
            $"alice:{Apr1}",
            "no colon at all",
            $":{Sha}",
            $"b\u0007ob:{Sha}",
            "carol:rl.3StKT.4T8M",
            $"dave: {Sha}",
            "erin:$2y$13$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS",
            "frank:",
            $"grace:{Md5}");

        var file = Htpasswd.Parse(content);

        Assert.Equal(["alice", "grace"], file.Users.Keys.Order(StringComparer.Ordinal));
        Assert.Collection(
            file.Problems,
            p => Assert.Equal(new HtpasswdProblem(3, "", "the line has no ':' between user and hash"), p),
            p => Assert.Equal(new HtpasswdProblem(4, "", "the user name is empty"), p),
            p => Assert.Equal(new HtpasswdProblem(5, "b?ob", "the user name contains control characters"), p),
            p => Assert.Equal((6, "carol", true), (p.Line, p.User, p.Reason.StartsWith("DES crypt is not supported", StringComparison.Ordinal))),
            p => Assert.Equal(new HtpasswdProblem(7, "dave", "the hash has leading or trailing whitespace"), p),
            p => Assert.Equal((8, "erin", true), (p.Line, p.User, p.Reason.Contains("cost 13 is above alb's cap of 12", StringComparison.Ordinal))),
            p => Assert.Equal(new HtpasswdProblem(9, "frank", "the hash is empty"), p));
    }

    [Fact]
    public void Never_puts_a_hash_in_a_problem()
    {
        var file = Htpasswd.Parse("user$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0\nx:$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY\n");

        Assert.Equal(2, file.Problems.Count);
        Assert.All(file.Problems, p => Assert.DoesNotContain("qHDFfhPC", p.User + p.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Stops_after_10000_lines()
    {
        var content = new StringBuilder();
        for (var i = 0; i < Htpasswd.MaxLines + 5; i++)
        {
            content.Append(CultureInfoFree($"user{i}:{Sha}\n"));
        }

        var file = Htpasswd.Parse(content.ToString());

        Assert.Equal(Htpasswd.MaxLines, file.Users.Count);
        var problem = Assert.Single(file.Problems);
        Assert.Equal(Htpasswd.MaxLines + 1, problem.Line);
        Assert.Contains("more than 10000 lines", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_comment_and_blank_lines_toward_the_line_bound()
    {
        var file = Htpasswd.Parse(string.Concat(Enumerable.Repeat("#\n", Htpasswd.MaxLines)) + $"late:{Sha}\n");

        Assert.Empty(file.Users);
        Assert.Equal(Htpasswd.MaxLines + 1, Assert.Single(file.Problems).Line);
    }

    [Fact]
    public void Stops_after_1_MiB()
    {
        var comment = "#" + new string('c', 1022) + "\n";
        var content = string.Concat(Enumerable.Repeat(comment, 1024)) + $"late:{Sha}\n";

        var file = Htpasswd.Parse($"early:{Sha}\n" + content);

        Assert.Equal(["early"], file.Users.Keys);
        var problem = Assert.Single(file.Problems);
        Assert.Equal(1025, problem.Line);
        Assert.Contains("more than 1 MiB", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_exactly_1_MiB()
    {
        var line = $"u:{Sha}\n";
        var padding = new string('c', Htpasswd.MaxBytes - line.Length - 2) + "\n";

        var file = Htpasswd.Parse("#" + padding + line);

        Assert.Empty(file.Problems);
        Assert.Single(file.Users);
    }

    [Fact]
    public void Reads_an_auth_map()
    {
        var file = Htpasswd.FromMap(new Dictionary<string, string>
        {
            ["bob"] = Sha + "\n",
            ["alice"] = Apr1,
            ["carol"] = "{PLAIN}secret",
            ["dave"] = Sha + "\nmallory:" + Sha,
            ["a:b"] = Sha,
            [""] = Sha,
            ["e\tve"] = Sha,
            ["frank"] = Md5 + "\r\n",
        });

        Assert.Equal(["alice", "bob", "frank"], file.Users.Keys.Order(StringComparer.Ordinal));
        Assert.True(file.Users["bob"].Verify("pass"));
        Assert.True(file.Users["frank"].Verify("rasmuslerdorf"));
        Assert.Collection(
            file.Problems,
            p => Assert.Equal(new HtpasswdProblem(0, "", "the user name is empty"), p),
            p => Assert.Equal(new HtpasswdProblem(0, "a:b", "the user name contains ':'"), p),
            p => Assert.Equal((0, "carol", true), (p.Line, p.User, p.Reason.Contains("{PLAIN}", StringComparison.Ordinal))),
            p => Assert.Equal(new HtpasswdProblem(0, "dave", "the hash contains a line break"), p),
            p => Assert.Equal(new HtpasswdProblem(0, "e?ve", "the user name contains control characters"), p));
    }

    [Fact]
    public void Bounds_an_auth_map()
    {
        var map = Enumerable.Range(0, Htpasswd.MaxLines + 1).ToDictionary(i => CultureInfoFree($"u{i:D5}"), _ => Sha);

        var file = Htpasswd.FromMap(map);

        Assert.Equal(Htpasswd.MaxLines, file.Users.Count);
        Assert.False(file.Users.ContainsKey("u10000"));
        Assert.Contains("more than 10000 entries", Assert.Single(file.Problems).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_empty_content()
    {
        Assert.Empty(Htpasswd.Parse("").Users);
        Assert.Empty(Htpasswd.Parse("").Problems);
        Assert.Empty(Htpasswd.FromMap(new Dictionary<string, string>()).Users);
    }

    private static string CultureInfoFree(FormattableString text) => FormattableString.Invariant(text);
}
