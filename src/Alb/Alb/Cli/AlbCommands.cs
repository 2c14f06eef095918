namespace Alb.Cli;

/// <summary>Dispatches <c>alb COMMAND</c>. Bad usage prints one line to stderr and exits 2.</summary>
internal static class AlbCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                var topic = args.Length > 1 ? args[1] : null;
                Console.Out.WriteLine(topic switch { "serve" => HelpText.Serve, "validate" => HelpText.Validate, "explain" => HelpText.Explain, _ => HelpText.Main });
                return args.Length == 0 ? 2 : 0;
            }

            var rest = args[1..];
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                Console.Out.WriteLine(args[0] switch { "serve" => HelpText.Serve, "validate" => HelpText.Validate, "explain" => HelpText.Explain, _ => HelpText.Main });
                return 0;
            }

            return args[0] switch
            {
                "serve" => await ServeCommand.RunAsync(CommandLine.ParseServe(rest)).ConfigureAwait(false),
                "validate" => ValidateRunner.Run(CommandLine.ParseValidate(rest), Console.Out),
                "explain" => ExplainRunner.Run(CommandLine.ParseExplain(rest), Console.Out),
                _ => throw new CommandLineException($"alb: unknown command \"{args[0]}\" (serve, validate, explain; see alb --help)"),
            };
        }
        catch (CommandLineException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
    }
}
