using Xunit;

namespace Edge.Testing;

/// <summary>
/// Compares text with a golden file. With <c>EDGE_UPDATE_GOLDEN=1</c> the file is (re)written instead, so a
/// reviewer sees every change of expected behaviour as a diff.
/// </summary>
public static class Golden
{
    public static void AssertMatches(string path, string actual)
    {
        actual = actual.ReplaceLineEndings("\n");
        if (!actual.EndsWith('\n'))
        {
            actual += "\n";
        }

        if (Environment.GetEnvironmentVariable("EDGE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with EDGE_UPDATE_GOLDEN=1 to create it, then review it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    /// <summary>The source folder of a test asset, so updates land in the repository and not in bin/.</summary>
    public static string SourceDirectory(string relative, [System.Runtime.CompilerServices.CallerFilePath] string callerFile = "")
    {
        var dir = Path.GetDirectoryName(callerFile)!;
        while (!Directory.Exists(Path.Combine(dir, relative)))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException(relative);
        }

        return Path.Combine(dir, relative);
    }

    /// <summary>A file of the repository found by walking up from the calling source file (e.g. <c>README.md</c>).</summary>
    public static string SourceFile(string relative, [System.Runtime.CompilerServices.CallerFilePath] string callerFile = "")
    {
        var dir = Path.GetDirectoryName(callerFile)!;
        while (!File.Exists(Path.Combine(dir, relative)))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException(relative);
        }

        return Path.Combine(dir, relative);
    }
}
