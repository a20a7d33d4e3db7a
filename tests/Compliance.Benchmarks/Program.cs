using Compliance.Benchmarks;

return await BenchmarkCommand.RunAsync(args, Console.Out, CancellationToken.None);
