using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Alb.Core.Annotations;
using Alb.Core.Annotations.Families;
using Alb.Core.Diagnostics;
using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Translation;

namespace Alb.Fuzz;

/// <summary>An invariant the fuzz target asserts did not hold: reported as a crash, like an exception escaping a parser.</summary>
public sealed class InvariantException(string message) : Exception(message);

/// <summary>
/// The fuzz target: one input becomes an annotation dictionary (plus a rule host and path); every family parser,
/// the screen, PathRegex and the whole Translator run over it. A crash is any exception escaping them, or a broken
/// invariant: a policy (or a route of the table) holding a string with a control character, a non-Default outcome
/// without a reason, a status code or limit outside what the parser promises.
/// </summary>
public static class Target
{
    private static readonly TranslationOptions Options = new();

    /// <summary>Diagnostics whose text holds a raw control character: not a crash (diagnostics are not policies), counted for the report.</summary>
    public static long SoftFindings;

    /// <summary>Translations in which the manifest parsed and the fuzz Ingress produced at least one route.</summary>
    public static long TranslatedWithRoutes;

    public static string? FirstSoftFinding;

    /// <summary>ALB_FUZZ_SELFTEST=1: any mutant of the self-test seed's path (<c>/__selftest_crash_^</c>) throws, to prove the crash path end to end.</summary>
    private static readonly bool SelfTest = Environment.GetEnvironmentVariable("ALB_FUZZ_SELFTEST") == "1";

    public static void Run(ReadOnlySpan<byte> data)
    {
        var input = FuzzInput.Decode(data);
        if (SelfTest && input.Path is { } p && p.StartsWith("/__selftest", StringComparison.Ordinal) && p != "/__selftest_crash_^")
        {
            throw new InvariantException("self-test crash");
        }

        var reader = new AnnotationReader("Ingress fuzz/fuzz", input.Annotations);

        Check("screen", AnnotationScreen.Read(reader));
        Check("screen(Low)", AnnotationScreen.Read(reader, AnnotationRisk.Low));

        var redirect = Check("redirect", RedirectAnnotations.Read(reader, GlobalSettings.Default));
        if (redirect.Redirect is { } r && (r.Code < 300 || r.Code > 308))
        {
            throw new InvariantException($"redirect code {r.Code} outside 300-308");
        }

        if (redirect.AppRoot is { } appRoot && (appRoot.Length == 0 || appRoot[0] != '/'))
        {
            throw new InvariantException($"app-root \"{appRoot}\" does not start with '/'");
        }

        var rewrite = Check("rewrite", RewriteAnnotations.Read(reader));
        if (rewrite.Rewrite is { } rw && rw.Target.Length == 0)
        {
            throw new InvariantException("rewrite-target accepted as empty");
        }

        var cors = Check("cors", CorsAnnotations.Read(reader));
        if (cors is { MaxAgeSeconds: < 0 })
        {
            throw new InvariantException($"cors max age {cors.MaxAgeSeconds} < 0");
        }

        var ranges = Check("source-range", SourceRangeAnnotations.Read(reader));
        if (ranges is not null && (ranges.Allow.Count > 1024 || ranges.Deny.Count > 1024))
        {
            throw new InvariantException("more than 1024 source ranges kept");
        }

        var limits = Check("rate-limit", RateLimitAnnotations.Read(reader));
        if (limits is not null && (limits.RequestsPerSecond is < 0 or > 1_000_000 || limits.RequestsPerMinute is < 0 or > 1_000_000
            || limits.Connections is < 0 or > 1_000_000 || limits.BurstMultiplier < 1 || limits.Exempt.Count > 1024))
        {
            throw new InvariantException($"rate limit out of range: {limits}");
        }

        var upstream = Check("proxy", ProxyAnnotations.Read(reader, GlobalSettings.Default));
        if (upstream.ConnectTimeoutMs <= 0 || upstream.SendTimeoutMs <= 0 || upstream.ReadTimeoutMs <= 0 || upstream.BodySize < 0
            || upstream.NextUpstreamTries is < 0 or > 100)
        {
            throw new InvariantException($"upstream policy out of range: {upstream}");
        }

        Check("log", LogAnnotations.Read(reader));

        if (input.Path is not null)
        {
            if (PathRegex.TryValidate(input.Path, out var normalized, out var why))
            {
                NoControl("PathRegex normalized path", normalized);
                _ = PathRegex.Match(normalized).IsMatch("/fuzz/path");
            }
            else if (why is null)
            {
                throw new InvariantException("PathRegex refused a path without a reason");
            }
            else
            {
                Soft("PathRegex reason", why);
            }
        }

        var file = ManifestParser.Parse("fuzz.yaml", Manifest.Build(input));
        var (snapshot, loadDiagnostics) = SnapshotBuilder.Build([file]);
        var result = Translator.Translate(snapshot, Options);
        Walk("route table", result.Table, strict: true);
        foreach (var d in loadDiagnostics.Concat(result.Diagnostics))
        {
            Soft($"diagnostic {d.Code} field", d.Field);
            Soft($"diagnostic {d.Code} message", d.Message);
        }

        if (result.Table.Hosts.Any(h => h.Routes.Any(route => route.Source.Ingress == "fuzz" && route.Source.Rule == 0)))
        {
            TranslatedWithRoutes++;
        }
    }

    private static T Check<T>(string family, Parsed<T> parsed)
    {
        if (parsed.Outcome != BadValueOutcome.Default && string.IsNullOrEmpty(parsed.Reason))
        {
            throw new InvariantException($"{family}: outcome {parsed.Outcome} without a reason");
        }

        if (parsed.Outcome != BadValueOutcome.Default && !parsed.Diagnostics.Any())
        {
            throw new InvariantException($"{family}: outcome {parsed.Outcome} without a diagnostic");
        }

        NoControl($"{family} reason", parsed.Reason);
        Walk($"{family} policy", parsed.Policy, strict: true);
        foreach (var d in parsed.Diagnostics)
        {
            Soft($"{family} diagnostic {d.Code}", d.Message);
        }

        return parsed.Policy;
    }

    private static void NoControl(string what, string? text)
    {
        if (text is not null && text.Any(char.IsControl))
        {
            throw new InvariantException($"{what} holds a control character: \"{AnnotationText.Shown(text)}\"");
        }
    }

    /// <summary>Where those raw control characters were found, with a count each.</summary>
    public static readonly SortedDictionary<string, long> SoftWhere = new(StringComparer.Ordinal);

    public static string SoftSummary() =>
        $"{SoftFindings} diagnostics with raw control characters (not crashes)" +
        (SoftWhere.Count == 0 ? "" : $" in: {string.Join(", ", SoftWhere.Select(kv => $"{kv.Key} ({kv.Value})"))}; first: {FirstSoftFinding}");

    private static void Soft(string what, string? text)
    {
        if (text is not null && text.Any(char.IsControl))
        {
            SoftFindings++;
            SoftWhere[what] = SoftWhere.GetValueOrDefault(what) + 1;
            FirstSoftFinding ??= $"{what}: \"{AnnotationText.Shown(text)}\"";
        }
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Every string reachable from a policy or the route table, through records' public properties and collections.</summary>
    private static void Walk(string where, object? value, bool strict, int depth = 0)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                NoControl(where, s);
                return;
            case TlsCertificate:
                return; // PEM text, not an annotation's
            case IEnumerable items:
                foreach (var item in items)
                {
                    Walk(where, item, strict, depth + 1);
                }

                return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(TimeSpan))
        {
            return;
        }

        if (depth > 32)
        {
            throw new InvariantException($"{where}: object graph deeper than 32");
        }

        foreach (var property in Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead).ToArray()))
        {
            Walk($"{where}.{property.Name}", property.GetValue(value), strict, depth + 1);
        }
    }
}
