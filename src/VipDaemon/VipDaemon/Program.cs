using VipDaemon.Cli;

return await VipdCommands.RunAsync(args);
