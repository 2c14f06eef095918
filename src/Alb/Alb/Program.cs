using Alb.Cli;

return await AlbCommands.RunAsync(args);
