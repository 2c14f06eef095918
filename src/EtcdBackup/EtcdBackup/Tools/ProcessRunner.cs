using System.Diagnostics;

namespace EtcdBackup.Tools;

/// <summary>Runs etcd's own tools: arguments as a list (never a shell line), output captured, killed on cancel.</summary>
internal static class ProcessRunner
{
    public static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim());
    }

    /// <summary>The full path of <paramref name="file"/>: as given when it holds a slash, else searched on PATH.</summary>
    public static string? Find(string file)
    {
        if (file.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(file) ? file : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
