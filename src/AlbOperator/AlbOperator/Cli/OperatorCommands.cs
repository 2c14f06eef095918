using AlbOperator.Core.Schema;

namespace AlbOperator.Cli;

/// <summary>Dispatches <c>alb-operator COMMAND</c>. Bad usage prints one line to stderr and exits 2.</summary>
internal static class OperatorCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                var topic = args.Length > 1 ? args[1] : null;
                await Console.Out.WriteLineAsync(topic == "run" ? HelpText.Run : HelpText.Main).ConfigureAwait(false);
                return args.Length == 0 ? 2 : 0;
            }

            var rest = args[1..];
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                await Console.Out.WriteLineAsync(args[0] == "run" ? HelpText.Run : HelpText.Main).ConfigureAwait(false);
                return 0;
            }

            switch (args[0])
            {
                case "run":
                    return await RunCommand.RunAsync(CommandLine.ParseRun(rest, Environment.GetEnvironmentVariable)).ConfigureAwait(false);
                case "crd":
                    if (rest.Length > 0)
                    {
                        throw new CommandLineException($"alb-operator crd: unexpected argument \"{rest[0]}\" (it takes none)");
                    }

                    await Console.Out.WriteAsync(Crd.RenderYaml()).ConfigureAwait(false);
                    return 0;
                default:
                    throw new CommandLineException($"alb-operator: unknown command \"{args[0]}\" (run, crd; see alb-operator --help)");
            }
        }
        catch (CommandLineException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
    }
}
