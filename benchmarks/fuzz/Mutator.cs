using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Alb.Fuzz;

/// <summary>
/// The coverage-less driver (MODE=mutate): AFL-style havoc mutations (bit flips, interesting bytes, dictionary
/// tokens, deletions, duplications, new records, splices) of the seed corpus, fed to the same target. A fallback for
/// machines where afl-fuzz cannot run; it finds shallow bugs only, as it has no coverage feedback.
/// </summary>
public static class Mutator
{
    /// <summary>Tokens of the annotation grammars; also written out as the AFL dictionary.</summary>
    public static readonly string[] Tokens =
    [
        "true", "false", "True", "FALSE", "t", "0", "1", "-1", "+1", "00", "65535", "65536", "2147483647", "2147483648",
        "-2147483648", "9223372036854775807", "1000000", "1000001", "86400", "86401", "100", "101", "300", "307", "308", "309",
        "k", "m", "g", "K", "M", "G", "1099511627776", "1024g", "1025g",
        "http://", "https://", "ftp://", "*.", "*", ":", "://", "//", "/", "/$1", "$1", "$0", "$9", "$", "$host", "%", "#", "@", "?", "&", "=",
        ",", ", ", " ", "\t", "\n", "\r\n", "\u0000", "\u007f", "\u0085", "\u2028", "\ufeff", "\u00e9", "\ud83d\ude00",
        "10.0.0.0/8", "0.0.0.0/0", "/33", "/129", "::", "::1", "::/0", "fe80::1%eth0", "::ffff:1.2.3.4", "2001:db8::/32", "1.2.3.4", "300.1.1.1", "01.02.03.04",
        "GET", "POST", "OPTIONS", "Content-Type", "X-Forwarded-For",
        "HTTP", "HTTPS", "GRPC", "GRPCS", "AUTO_HTTP", "FCGI", "grpcs",
        "(", ")", "(?<=x)", "(?i)", "(.*)", "[a-z]", "\\", "\\1", "{1000}", "{2147483647}", "(?<n>a)\\k<n>", "^", "|",
        "example.com", "a.example.com", "localhost", "xn--", "-a.", "a-", "cookie", "header", "never", "always",
    ];

    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'\n', (byte)'\r', (byte)'$', (byte)'%', (byte)'/', (byte)',', (byte)' ', (byte)'"', (byte)'\\', (byte)'*', (byte)':'];

    private static readonly byte[][] TokenBytes = Tokens.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();

    public static int Run(List<byte[]> seeds, long count, int seed, string crashDir)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        var crashes = 0L;
        var saved = new HashSet<string>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        var buffer = new List<byte>(4096);
        var lastReport = watch.Elapsed;

        for (long n = 0; n < count; n++)
        {
            // The seeds themselves first, then mutants.
            var data = n < seeds.Count ? seeds[(int)n] : Mutate(random, seeds, buffer);
            var started = watch.Elapsed;
            try
            {
                Target.Run(data);
            }
            catch (Exception e)
            {
                crashes++;
                var signature = $"{e.GetType().FullName} @ {TopFrame(e)}";
                if (saved.Add(signature) && saved.Count <= 20)
                {
                    Save(crashDir, data, e);
                }
            }

            var took = watch.Elapsed - started;
            if (took > slowest)
            {
                slowest = took;
            }

            if (watch.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = watch.Elapsed;
                Console.WriteLine($"  ... {n + 1:N0} inputs, {crashes} crashes, {(n + 1) / watch.Elapsed.TotalSeconds:N0}/s");
            }
        }

        watch.Stop();
        Console.WriteLine($"mode: mutate (coverage-less, seed {seed})");
        Console.WriteLine($"inputs executed: {count}");
        Console.WriteLine($"crashes: {crashes} ({saved.Count} distinct)");
        Console.WriteLine($"elapsed: {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:N0} inputs/s; slowest input {slowest.TotalMilliseconds:F1} ms)");
        Console.WriteLine($"translations with routes from the fuzz rule: {Target.TranslatedWithRoutes}");
        Console.WriteLine(Target.SoftSummary());
        return crashes == 0 ? 0 : 1;
    }

    private static byte[] Mutate(Random random, List<byte[]> seeds, List<byte> buffer)
    {
        buffer.Clear();
        buffer.AddRange(seeds[random.Next(seeds.Count)]);
        var stack = 1 << random.Next(1, 5);
        for (var s = 0; s < stack; s++)
        {
            var at = buffer.Count == 0 ? 0 : random.Next(buffer.Count);
            switch (random.Next(10))
            {
                case 0 when buffer.Count > 0:
                    buffer[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when buffer.Count > 0:
                    buffer[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2 when buffer.Count > 0:
                    buffer[at] = (byte)random.Next(256);
                    break;
                case 3:
                    buffer.InsertRange(at, TokenBytes[random.Next(TokenBytes.Length)]);
                    break;
                case 4 when buffer.Count > 0:
                {
                    var token = TokenBytes[random.Next(TokenBytes.Length)];
                    for (var i = 0; i < token.Length && at + i < buffer.Count; i++)
                    {
                        buffer[at + i] = token[i];
                    }

                    break;
                }

                case 5 when buffer.Count > 1:
                    buffer.RemoveRange(at, random.Next(1, Math.Min(buffer.Count - at, 32) + 1));
                    break;
                case 6 when buffer.Count > 1:
                {
                    var length = random.Next(1, Math.Min(buffer.Count - at, 64) + 1);
                    var chunk = buffer.GetRange(at, length);
                    var times = random.Next(1, random.Next(2) == 0 ? 4 : 200);
                    for (var t = 0; t < times && buffer.Count < 40_000; t++)
                    {
                        buffer.InsertRange(random.Next(buffer.Count + 1), chunk);
                    }

                    break;
                }

                case 7:
                {
                    // A new record: a random slot and a value made of tokens.
                    var value = new List<byte>();
                    var parts = random.Next(1, 6);
                    for (var p = 0; p < parts; p++)
                    {
                        value.AddRange(TokenBytes[random.Next(TokenBytes.Length)]);
                    }

                    var record = FuzzInput.Encode([(random.Next(FuzzInput.SlotCount), Encoding.UTF8.GetString([.. value]))]);
                    buffer.InsertRange(random.Next(2) == 0 ? buffer.Count : 0, record);
                    break;
                }

                case 8:
                {
                    var other = seeds[random.Next(seeds.Count)];
                    if (other.Length > 0)
                    {
                        var from = random.Next(other.Length);
                        buffer.InsertRange(at, other.AsSpan(from, random.Next(1, other.Length - from + 1)).ToArray());
                    }

                    break;
                }

                default:
                    if (buffer.Count > 0)
                    {
                        // A record's length byte or slot byte, the structure-changing ones.
                        buffer[at] = (byte)(random.Next(2) == 0 ? random.Next(FuzzInput.SlotCount) : random.Next(256));
                    }

                    break;
            }
        }

        if (buffer.Count > 64 * 1024)
        {
            buffer.RemoveRange(64 * 1024, buffer.Count - 64 * 1024);
        }

        return [.. buffer];
    }

    public static string TopFrame(Exception e)
    {
        var trace = e.StackTrace ?? "";
        var first = trace.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first ?? "(no stack)";
    }

    public static void Save(string crashDir, byte[] data, Exception e)
    {
        Directory.CreateDirectory(crashDir);
        var name = "crash-" + Convert.ToHexString(SHA1.HashData(data)).ToLowerInvariant()[..16];
        File.WriteAllBytes(Path.Combine(crashDir, name + ".bin"), data);
        File.WriteAllText(Path.Combine(crashDir, name + ".txt"), e.ToString() + "\n");
        Console.WriteLine($"  crash saved: {Path.Combine(crashDir, name)}.bin: {e.GetType().Name}: {e.Message}");
    }
}
