using Alb.Cli;

RuntimeDefaults.Apply(); // first: the socket engine reads its setting when the first socket is used
return await AlbCommands.RunAsync(args);
