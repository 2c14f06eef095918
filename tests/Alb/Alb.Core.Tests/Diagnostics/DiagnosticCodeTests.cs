using Alb.Core.Diagnostics;
using Edge.Testing;
using Xunit;

namespace Alb.Core.Tests.Diagnostics;

public sealed class DiagnosticCodeTests
{
    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        Assert.Equal(Codes.All.Count, Codes.All.Select(c => c.Code).Distinct().Count());
        Assert.All(Codes.All, c => Assert.Matches("^ALB[12][0-9]{3}$", c.Code));
    }

    [Fact]
    public void Every_code_is_in_the_docs_table_with_its_severity_and_meaning()
    {
        var readme = File.ReadAllText(Golden.SourceFile("docs/diagnostics.md"));
        foreach (var code in Codes.All)
        {
            Assert.Contains($"| `{code.Code}` | {code.Severity} | {code.Meaning} |", readme, StringComparison.Ordinal);
        }
    }
}
