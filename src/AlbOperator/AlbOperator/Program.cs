using AlbOperator.Cli;

return await OperatorCommands.RunAsync(args);
