using System.Text.Json;
using Alb.Core.Manifests;
using Alb.Core.Serialization;
using Alb.Core.Translation;
using Edge.Testing;
using Xunit;

namespace Alb.Core.Tests.Translation;

/// <summary>
/// Each folder under testassets/translation is a specification: <c>input.yaml</c> (and optional
/// <c>options.json</c>) must translate to exactly <c>routes.json</c> and <c>diagnostics.json</c>.
/// </summary>
public sealed class GoldenTranslationTests
{
    private static readonly string Root = Golden.SourceDirectory("testassets/translation");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translates_as_specified(string name)
    {
        var dir = Path.Combine(Root, name);
        var options = OptionsOf(dir);

        var file = ManifestParser.Parse("input.yaml", File.ReadAllText(Path.Combine(dir, "input.yaml")));
        var (snapshot, loadDiagnostics) = SnapshotBuilder.Build([file]);
        var result = Translator.Translate(snapshot, options);

        Golden.AssertMatches(Path.Combine(dir, "routes.json"), AlbJson.Serialize(result.Table));
        Golden.AssertMatches(Path.Combine(dir, "diagnostics.json"), AlbJson.Serialize(loadDiagnostics.Concat(result.Diagnostics)));
    }

    /// <summary>A case's <c>options.json</c>, or the defaults.</summary>
    internal static TranslationOptions OptionsOf(string dir) => File.Exists(Path.Combine(dir, "options.json"))
        ? JsonSerializer.Deserialize<TranslationOptions>(File.ReadAllText(Path.Combine(dir, "options.json")), AlbJson.Options)!
        : new TranslationOptions();

    [Fact]
    public void Translation_is_deterministic_and_equal_tables_compare_equal()
    {
        foreach (var dir in Directory.GetDirectories(Root))
        {
            var text = File.ReadAllText(Path.Combine(dir, "input.yaml"));
            var a = Translator.Translate(SnapshotBuilder.Build([ManifestParser.Parse("a", text)]).Snapshot, new TranslationOptions());
            var b = Translator.Translate(SnapshotBuilder.Build([ManifestParser.Parse("a", text)]).Snapshot, new TranslationOptions());
            Assert.Equal(a.Table, b.Table);
            Assert.Equal(a.Table.GetHashCode(), b.Table.GetHashCode());
            Assert.Equal(a.Diagnostics.AsEnumerable(), b.Diagnostics.AsEnumerable());
        }
    }
}
