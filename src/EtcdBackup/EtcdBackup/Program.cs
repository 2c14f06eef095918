using EtcdBackup.Cli;

return await BackupCommands.RunAsync(args);
