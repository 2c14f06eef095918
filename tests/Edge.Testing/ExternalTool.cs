using System.ComponentModel;
using System.Diagnostics;
using Xunit;

namespace Edge.Testing;

/// <summary>Runs htpasswd / openssl to make hashes at test time. A missing tool fails the test, it never skips.</summary>
public static class ExternalTool
{
    public static string Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process = null;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"'{tool}' is not on this machine ({Package(tool)}; scripts/test.sh installs it): {e.Message}");
        }

        using (process)
        {
            Assert.NotNull(process);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                Assert.Fail($"'{tool}' did not finish in 30 s");
            }

            Assert.True(process.ExitCode == 0, $"'{tool} {arguments[0]}' exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result.TrimEnd('\r', '\n');
        }
    }

    /// <summary>The hash of <c>htpasswd -nb… user password</c>: the first line, after "user:".</summary>
    public static string Htpasswd(string flags, string password, params string[] more)
    {
        var output = Run("htpasswd", [flags, .. more, "user", password]);
        var line = output.Split('\n')[0].TrimEnd('\r');
        Assert.StartsWith("user:", line, StringComparison.Ordinal);
        return line["user:".Length..];
    }

    public static string OpenSslPasswd(string algorithm, string password, string? salt = null) =>
        salt is null ? Run("openssl", "passwd", algorithm, password) : Run("openssl", "passwd", algorithm, "-salt", salt, password);

    private static string Package(string tool) => tool == "htpasswd" ? "apt-get install apache2-utils" : "apt-get install openssl";
}
