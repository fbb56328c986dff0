if (args is ["scan-timing", .. var rest])
{
    return MigCompat.Benchmarks.ScanTiming.Run(rest);
}

if (args is ["plan-timing", .. var planArgs])
{
    return MigCompat.Benchmarks.PlanTiming.Run(planArgs);
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
