using System.Globalization;
using System.Text;
using SharpFuzz;

namespace Alb.Fuzz;

/// <summary>
/// Alb.Fuzz: the annotation-parser fuzz harness behind benchmarks/fuzz/run.sh.
/// <list type="bullet">
/// <item><c>afl-http1</c>, <c>seeds-http1 OUT_DIR DICT_FILE</c>, <c>replay-http1 PATH...</c>: the same for the HTTP/1.1 response parser (<see cref="Http1Target"/>).</item>
/// <item><c>afl-http1-request</c>, <c>seeds-http1-request OUT_DIR DICT_FILE</c>, <c>replay-http1-request PATH...</c>: the same for the request head parser (<see cref="Http1RequestTarget"/>).</item>
/// <item><c>afl</c>: SharpFuzz's in-process fork server for afl-fuzz (Alb.Core.dll instrumented by the sharpfuzz tool).</item>
/// <item><c>seeds TRANSLATION_DIR OUT_DIR DICT_FILE</c>: the seed corpus and the AFL dictionary.</item>
/// <item><c>replay PATH...</c>: runs files (or every file of folders) through the target; prints each crash with its stack.</item>
/// <item><c>mutate TRANSLATION_DIR COUNT SEED CRASH_DIR</c>: the coverage-less driver.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "afl";
        if (mode != "afl")
        {
            // Outside afl-fuzz an instrumented Alb.Core.dll still writes its trace bits: give it a map to write to.
            unsafe
            {
                SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
            }
        }

        switch (mode)
        {
            case "afl-http1":
                return Afl(Http1Run);

            case "seeds-http1" when args.Length == 3:
                return WriteSeeds(Http1Target.Seeds(), args[1], args[2], Http1Target.Tokens);

            case "replay-http1" when args.Length >= 2:
                return Replay(args[1..], Http1Run);

            case "afl-http1-request":
                return Afl(Http1RequestRun);

            case "seeds-http1-request" when args.Length == 3:
                return WriteSeeds(Http1RequestTarget.Seeds(), args[1], args[2], Http1RequestTarget.Tokens);

            case "replay-http1-request" when args.Length >= 2:
                return Replay(args[1..], Http1RequestRun);

            case "afl":
                return Afl(AnnotationsRun);

            case "seeds" when args.Length == 4:
            {
                var seeds = Seeds.FromTestAssets(args[1]);
                if (Environment.GetEnvironmentVariable("ALB_FUZZ_SELFTEST") == "1")
                {
                    // The self-test's only seed. afl-fuzz refuses seeds that crash: this one does not, its mutants do (Target.SelfTest).
                    seeds = [FuzzInput.Encode([(FuzzInput.PathSlot, "/__selftest_crash_^")])];
                }

                return WriteSeeds(seeds, args[2], args[3], Mutator.Tokens);
            }

            case "replay" when args.Length >= 2:
                return Replay(args[1..], AnnotationsRun);

            case "mutate" when args.Length == 5:
                return Mutator.Run(Seeds.FromTestAssets(args[1]), long.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);

            default:
                Console.Error.WriteLine("usage: Alb.Fuzz afl | seeds TRANSLATION_DIR OUT_DIR DICT | replay PATH... | mutate TRANSLATION_DIR COUNT SEED CRASH_DIR");
                return 2;
        }
    }

    /// <summary>An AFL dictionary: one quoted token a line, bytes outside printable ASCII as \\xNN.</summary>
    private static string Dictionary(string[] tokens)
    {
        var dict = new StringBuilder();
        for (var i = 0; i < tokens.Length; i++)
        {
            dict.Append(CultureInfo.InvariantCulture, $"t{i}=\"");
            foreach (var b in Encoding.UTF8.GetBytes(tokens[i]))
            {
                dict.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
            }

            dict.Append("\"\n");
        }

        return dict.ToString();
    }

    private delegate void FuzzTarget(ReadOnlySpan<byte> input);

    private static readonly FuzzTarget Http1Run = Http1Target.Run;

    private static readonly FuzzTarget Http1RequestRun = Http1RequestTarget.Run;

    private static readonly FuzzTarget AnnotationsRun = Target.Run;

    /// <summary>SharpFuzz's in-process fork server over <paramref name="target"/>.</summary>
    private static int Afl(FuzzTarget target)
    {
        var buffer = new MemoryStream();
        Fuzzer.Run(stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            target(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    /// <summary>The seed corpus as files seed-NNN in <paramref name="directory"/>, and the AFL dictionary.</summary>
    private static int WriteSeeds(List<byte[]> seeds, string directory, string dictionaryFile, string[] tokens)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(directory, $"seed-{i:D3}"), seeds[i]);
        }

        File.WriteAllText(dictionaryFile, Dictionary(tokens));
        Console.WriteLine($"{seeds.Count} seeds in {directory}, {tokens.Length} tokens in {dictionaryFile}");
        return 0;
    }

    private static int Replay(string[] paths, FuzzTarget target)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal)) : [p])
            .Order(StringComparer.Ordinal).ToList();
        var crashes = 0;
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"CRASH {file}\n{e}\n");
            }
        }

        Console.WriteLine(target == Http1Run || target == Http1RequestRun
            ? $"replayed {files.Count} inputs: {crashes} crashes"
            : $"replayed {files.Count} inputs: {crashes} crashes; {Target.TranslatedWithRoutes} translations with routes from the fuzz rule; " + Target.SoftSummary());
        return crashes == 0 ? 0 : 1;
    }
}
