using System.Diagnostics;
using System.Text.RegularExpressions;
using Alb.Core.Routing;
using Xunit;

namespace Alb.Core.Tests.Routing;

public sealed class PathRegexTests
{
    [Theory]
    [InlineData("/api(/|$)(.*)")]
    [InlineData("/foo/bar/[a-z]{3}")]
    [InlineData("/static/.+\\.(css|js)$")]
    [InlineData("/(?:v1|v2)/users")]
    public void Simple_patterns_run_on_the_interpreter_with_a_timeout(string path)
    {
        Assert.True(PathRegex.IsSimple(path));
        var regex = PathRegex.Match(path);
        Assert.False(regex.Options.HasFlag(RegexOptions.NonBacktracking));
        Assert.Equal(PathRegex.MatchTimeout, regex.MatchTimeout);
    }

    [Theory]
    [InlineData("/(a+)+$")]
    [InlineData("/x/.*.*.*y")]
    [InlineData("/(ab|a)*c")]
    [InlineData("/a{2,}b+")]
    public void Patterns_that_could_backtrack_badly_run_on_the_non_backtracking_engine(string path)
    {
        Assert.False(PathRegex.IsSimple(path));
        Assert.True(PathRegex.Match(path).Options.HasFlag(RegexOptions.NonBacktracking));
    }

    [Theory]
    [InlineData("/(a)\\1")]
    [InlineData("/(?=admin)x")]
    [InlineData("/(?<!x)y")]
    public void Back_references_and_look_arounds_are_refused(string path)
    {
        Assert.False(PathRegex.TryValidate(path, out _, out var reason));
        Assert.Contains("non-backtracking", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_path_against_a_catastrophic_pattern_answers_at_once()
    {
        var regex = PathRegex.Match("/(a+)+$");
        var path = "/" + new string('a', 8000) + "!";
        var clock = Stopwatch.StartNew();
        Assert.DoesNotMatch(regex, path);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // linear: milliseconds; a backtracking engine would not finish
    }

    [Fact]
    public void Captures_feed_the_rewrite_target()
    {
        var match = PathRegex.Match("/api(/|$)(.*)").Match("/API/items/7");
        Assert.Equal("/items/7", PathRegex.Substitute("/$2", match));
        Assert.Equal("/x", PathRegex.Substitute("/x$9", match));
    }
}
