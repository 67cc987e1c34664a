using System.Diagnostics;
using DLBricks.Benchmarking;

namespace DLBricks.Tests.Benchmarking;

public class ThreadCpuClockTests
{
    [Fact]
    public void CountsComputeButNotSleep()
    {
        Assert.True(ThreadCpuClock.Instance.IsAvailable);
        var clock = ThreadCpuClock.Instance;

        var start = clock.GetTimestamp();
        Thread.Sleep(200);
        var slept = (clock.GetTimestamp() - start) / 1e6;

        start = clock.GetTimestamp();
        var wall = Stopwatch.StartNew();
        var x = 0.0;
        while (wall.ElapsedMilliseconds < 100) x += Math.Sqrt(x + 1);
        var busy = (clock.GetTimestamp() - start) / 1e6;

        Assert.True(slept < 20, $"sleeping 200 ms cost {slept:F1} ms of CPU");
        Assert.True(busy > 10, $"spinning 100 ms cost only {busy:F1} ms of CPU (x={x})");
    }

    [Theory]
    [InlineData("auto", 1, "sequential", MeasurementClock.ThreadCpu)]
    [InlineData("auto", 0, "sequential", MeasurementClock.Wall)]
    [InlineData("auto", 1, "parallel", MeasurementClock.Wall)]
    [InlineData("wall", 1, "sequential", MeasurementClock.Wall)]
    [InlineData("cpu", 1, "sequential", MeasurementClock.ThreadCpu)]
    public void ResolvesTheClockFromThreadSettings(string choice, int threads, string mode, MeasurementClock expected)
    {
        Assert.True(MeasurementClocks.TryResolve(choice, threads, mode, out var clock, out _));
        Assert.Equal(expected, clock);
    }

    [Fact]
    public void CpuClockWithSeveralThreadsIsRefused()
    {
        Assert.False(MeasurementClocks.TryResolve("cpu", 4, "sequential", out _, out var error));
        Assert.Contains("--threads 1", error);
        Assert.Equal("default+cpu", BenchmarkJob.Default.WithClock(MeasurementClock.ThreadCpu).Name);
    }
}
