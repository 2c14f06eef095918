using Alb.Core.Annotations;
using Xunit;

namespace Alb.Core.Tests.Annotations;

/// <summary>
/// Key lookups without building <c>prefix + name</c> (a span lookup on a <see cref="Dictionary{TKey,TValue}"/>,
/// the plain lookup on any other dictionary) must find exactly what the full key finds.
/// </summary>
public sealed class AnnotationReaderTests
{
    private const string P = "nginx.ingress.kubernetes.io/";

    public static TheoryData<string> Kinds() => ["dictionary", "sorted", "case-insensitive"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Finds_a_key_under_the_prefix_and_nothing_else(string kind)
    {
        var long_ = new string('x', 300); // past the stack buffer
        var reader = new AnnotationReader("Ingress default/web", Make(kind, new()
        {
            [P + "limit-rps"] = "10",
            [P + long_] = "long",
            ["limit-rps"] = "no prefix",
            ["other.example/limit-rps"] = "other prefix",
        }));

        Assert.Equal("10", reader.Get("limit-rps"));
        Assert.True(reader.Has("limit-rps"));
        Assert.Equal("long", reader.Get(long_));
        Assert.Null(reader.Get("limit-rpm"));
        Assert.False(reader.Has("limit"));
        Assert.Null(reader.Get(""));
    }

    [Fact]
    public void A_case_insensitive_dictionary_keeps_its_own_comparer()
    {
        var reader = new AnnotationReader("Ingress default/web", Make("case-insensitive", new() { [P + "Limit-RPS"] = "10" }));
        Assert.Equal("10", reader.Get("limit-rps"));
    }

    [Fact]
    public void Lists_the_names_under_the_prefix_sorted_without_it()
    {
        var reader = new AnnotationReader("Ingress default/web", new Dictionary<string, string>
        {
            [P + "ssl-redirect"] = "false",
            ["kubernetes.io/ingress.class"] = "alb",
            [P + "cors-allow-origin"] = "*",
            [P + "affinity"] = "cookie",
        });
        Assert.Equal(["affinity", "cors-allow-origin", "ssl-redirect"], reader.Names);
        Assert.Same(reader.Names, reader.Names);
        Assert.Empty(new AnnotationReader("Ingress default/web", null).Names);
        Assert.Null(new AnnotationReader("Ingress default/web", null).Get("affinity"));
    }

    private static IDictionary<string, string> Make(string kind, Dictionary<string, string> entries) => kind switch
    {
        "sorted" => new SortedDictionary<string, string>(entries, StringComparer.Ordinal),
        "case-insensitive" => new Dictionary<string, string>(entries, StringComparer.OrdinalIgnoreCase),
        _ => entries,
    };
}
