if (args is ["scan-timing", .. var rest])
{
    return MigCompat.Benchmarks.ScanTiming.Run(rest);
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
