using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Alb.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
