using System.Diagnostics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using DLBricks.Benchmarking;
using Perfolizer.Mathematics.OutlierDetection;

namespace DLBricks.Benchmarks;

/// <summary>
/// <c>bdn-batch K</c>: BenchmarkDotNet's fixed cost of K one-case runs against one run of K cases (one job each) on an empty
/// call, three rounds: how much of the per-brick overhead sharing a run saves (<see cref="BenchmarkJob.CasesPerRun"/>).
/// </summary>
internal static class BdnBatchProbe
{
    public static int Run(int k)
    {
        ModelCallBenchmark.Target = () => { };
        BenchmarkDotNet.Jobs.Job JobFor(int i) => BenchmarkDotNet.Jobs.Job.Default
            .WithToolchain(new InProcessNoEmitToolchain(TimeSpan.FromHours(1), logOutput: false))
            .WithStrategy(RunStrategy.Throughput).WithInvocationCount(100 + i).WithUnrollFactor(1).WithWarmupCount(1).WithIterationCount(5)
            .WithEvaluateOverhead(false).WithGcForce(false).WithOutlierMode(OutlierMode.DontRemove).WithId($"case{i}");
        ManualConfig Config() => ManualConfig.CreateEmpty().AddLogger(NullLogger.Instance).AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "dlbricks-bdn")).WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.DisableOptimizationsValidator);
        BenchmarkRunner.Run(typeof(ModelCallBenchmark), Config().AddJob(JobFor(0)));
        for (var round = 0; round < 3; round++)
        {
            var w = Stopwatch.StartNew();
            for (var i = 0; i < k; i++) BenchmarkRunner.Run(typeof(ModelCallBenchmark), Config().AddJob(JobFor(i)));
            var separate = w.Elapsed;
            w.Restart();
            var config = Config();
            for (var i = 0; i < k; i++) config = config.AddJob(JobFor(i));
            var summary = BenchmarkRunner.Run(typeof(ModelCallBenchmark), config);
            var batched = w.Elapsed;
            Console.WriteLine($"{k} cases: separate {separate.TotalMilliseconds / k:F1} ms/case, one run {batched.TotalMilliseconds / k:F1} ms/case ({summary.Reports.Length} reports); load {File.ReadAllText("/proc/loadavg")[..14]}");
        }
        return 0;
    }
}
