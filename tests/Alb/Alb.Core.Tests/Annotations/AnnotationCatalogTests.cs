using Alb.Core.Annotations;
using Alb.Core.Migration;
using Edge.Testing;
using Xunit;

namespace Alb.Core.Tests.Annotations;

public sealed class AnnotationCatalogTests
{
    [Fact]
    public void Lists_every_ingress_nginx_annotation_once()
    {
        Assert.Equal(138, AnnotationCatalog.All.Count);
        Assert.Equal(138, AnnotationCatalog.All.Select(a => a.Name).Distinct().Count());
        Assert.All(AnnotationCatalog.All.Where(a => a.Risk == AnnotationRisk.Critical), a => Assert.Equal(AnnotationSupport.RefusedByDesign, a.Support));
    }

    [Fact]
    public void The_docs_compatibility_table_has_one_row_per_annotation_with_its_support()
    {
        var doc = File.ReadAllText(Golden.SourceFile("docs/alb-annotations.md"));
        foreach (var a in AnnotationCatalog.All)
        {
            Assert.Contains($"| `{a.Name}` | {a.Family} | {MigrationReport.Label(a.Support)} |", doc, StringComparison.Ordinal);
        }
    }
}
