using Alb.Core.Diagnostics;
using Alb.Core.Migration;
using Alb.Core.Serialization;
using Alb.Core.Translation;
using Alb.Sources;

namespace Alb.Cli;

/// <summary><c>alb validate</c>: the same load and translation as <c>serve</c>, printed instead of served.</summary>
internal static class ValidateRunner
{
    public static int Run(ValidateCommand command, TextWriter output)
    {
        var (snapshot, loadDiagnostics) = new ManifestDirectory(command.Directory).Load();
        var result = Translator.Translate(snapshot, command.Translation);
        var diagnostics = loadDiagnostics.AddRange(result.Diagnostics);
        var errors = diagnostics.Count(d => d.Severity == Severity.Error);
        var usage = MigrationReport.Build(snapshot);

        if (command.Output == OutputFormat.Json)
        {
            output.WriteLine(AlbJson.Serialize(new ValidationReport(
                snapshot.Ingresses.Length,
                result.Table.Hosts.Count,
                result.Table.Hosts.Sum(h => h.Routes.Count),
                errors,
                diagnostics.Count(d => d.Severity == Severity.Warning),
                usage,
                diagnostics)));
        }
        else
        {
            foreach (var d in diagnostics)
            {
                output.WriteLine(d.ToString());
            }

            if (usage.Count > 0)
            {
                output.WriteLine();
                output.WriteLine("ingress-nginx annotations used (Ingresses carrying each, and what alb does with it):");
                foreach (var u in usage)
                {
                    output.WriteLine($"  {u.Ingresses,5}  {u.Support,-18} {u.Key}");
                }

                output.WriteLine(string.Join(", ", usage.GroupBy(u => u.Support).Select(g => $"{g.Count()} {g.Key}")) + $" ({usage.Count} keys)");
                output.WriteLine();
            }

            output.WriteLine($"{snapshot.Ingresses.Length} Ingresses, {result.Table.Hosts.Count} hosts, {result.Table.Hosts.Sum(h => h.Routes.Count)} routes; " +
                $"{errors} errors, {diagnostics.Count(d => d.Severity == Severity.Warning)} warnings, {diagnostics.Count(d => d.Severity == Severity.Info)} infos");
        }

        return errors > 0 ? 1 : 0;
    }
}
