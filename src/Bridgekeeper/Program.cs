return await Bridgekeeper.Cli.CommandLine.RunAsync(args);
