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
    [InlineData("auto", 1, "sequential", "cpu", nameof(MeasurementClock.ThreadCpu))]
    [InlineData("auto", 0, "sequential", "cpu", nameof(MeasurementClock.Wall))]
    [InlineData("auto", 1, "parallel", "cpu", nameof(MeasurementClock.Wall))]
    [InlineData("wall", 1, "sequential", "cpu", nameof(MeasurementClock.Wall))]
    [InlineData("cpu", 1, "sequential", "cpu", nameof(MeasurementClock.ThreadCpu))]
    // GPU kernels run on the device while the calling thread waits, so the thread's CPU time would miss them.
    [InlineData("auto", 1, "sequential", "cuda", nameof(MeasurementClock.Wall))]
    [InlineData("wall", 1, "sequential", "cuda", nameof(MeasurementClock.Wall))]
    public void ResolvesTheClockFromProviderAndThreadSettings(string choice, int threads, string mode, string provider, string expected)
    {
        Assert.True(MeasurementClocks.TryResolve(choice, threads, mode, provider, out var clock, out var error));
        // The clock travels as a name: MeasurementClock is internal and a public test method cannot take it.
        Assert.Equal(Enum.Parse<MeasurementClock>(expected), clock);
        Assert.Null(error);
    }

    [Fact]
    public void CpuClockWithTheCudaProviderIsRefusedNamingTheFix()
    {
        Assert.False(MeasurementClocks.TryResolve("cpu", 1, "sequential", "cuda", out _, out var error));
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("cuda", error);
        Assert.Contains("--clock wall", error);
    }

    [Fact]
    public void CpuClockWithSeveralThreadsIsRefused()
    {
        Assert.False(MeasurementClocks.TryResolve("cpu", 4, "sequential", "cpu", out _, out var error));
        Assert.Contains("--threads 1", error);
        Assert.Equal("default+cpu", BenchmarkJob.Default.WithClock(MeasurementClock.ThreadCpu).Name);
    }
}
