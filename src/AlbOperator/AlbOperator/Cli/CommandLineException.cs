namespace AlbOperator.Cli;

/// <summary>A bad flag or value: printed as one line naming the flag; exit code 2.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
