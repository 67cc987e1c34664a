using BenchmarkDotNet.Characteristics;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace DLBricks.Benchmarking;

/// <summary>
/// BenchmarkDotNet's engine with one change: which measured iterations run is decided by a <see cref="MedianStoppingRule"/>
/// instead of a fixed count. Every iteration is still BenchmarkDotNet's own (<see cref="IEngine.RunIteration"/>: its clock,
/// invocation loop, setup and cleanup); this class only walks the stages — the fixed warmup count, then measured iterations
/// until the rule stops them (the job's iteration count is the cap). The jitting stage ran when the engine was created.
/// </summary>
internal sealed class SequentialStoppingEngine(IEngine inner, MedianStoppingRule rule) : IEngine
{
    public IHost Host => inner.Host;
    public Job TargetJob => inner.TargetJob;
    public long OperationsPerInvoke => inner.OperationsPerInvoke;
    public Action? GlobalSetupAction => inner.GlobalSetupAction;
    public Action? GlobalCleanupAction => inner.GlobalCleanupAction;
    public Action<long> WorkloadAction => inner.WorkloadAction;
    public Action<long> OverheadAction => inner.OverheadAction;
    public IResolver Resolver => inner.Resolver;

    public void WriteLine() => inner.WriteLine();

    public void WriteLine(string line) => inner.WriteLine(line);

    public Measurement RunIteration(IterationData data) => inner.RunIteration(data);

    public RunResults Run()
    {
        var invokeCount = TargetJob.ResolveValue(RunMode.InvocationCountCharacteristic, Resolver, 1);
        var unroll = TargetJob.ResolveValue(RunMode.UnrollFactorCharacteristic, Resolver);
        var warmup = TargetJob.ResolveValue(RunMode.WarmupCountCharacteristic, Resolver);
        var cap = TargetJob.ResolveValue(RunMode.IterationCountCharacteristic, Resolver);
        var measurements = new List<Measurement>(warmup + cap);
        for (var i = 1; i <= warmup; i++)
            measurements.Add(RunIteration(new IterationData(IterationMode.Workload, IterationStage.Warmup, i, invokeCount, unroll)));

        Host.BeforeMainRun();
        var perOperation = new List<double>(cap);
        do
        {
            var m = RunIteration(new IterationData(IterationMode.Workload, IterationStage.Actual, perOperation.Count + 1, invokeCount, unroll));
            measurements.Add(m);
            perOperation.Add(m.Nanoseconds / m.Operations);
        } while (!rule.ShouldStop(perOperation, cap));
        Host.AfterMainRun();

        return new RunResults(measurements, TargetJob.ResolveValue(AccuracyMode.OutlierModeCharacteristic, Resolver), GcStats.Empty, ThreadingStats.Empty, 0);
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>Creates BenchmarkDotNet's usual engine (jitting stage included) and hands it to a <see cref="SequentialStoppingEngine"/>.</summary>
internal sealed class SequentialStoppingEngineFactory(MedianStoppingRule rule) : IEngineFactory
{
    public IEngine CreateReadyToRun(EngineParameters engineParameters)
        => new SequentialStoppingEngine(new EngineFactory().CreateReadyToRun(engineParameters), rule);
}
