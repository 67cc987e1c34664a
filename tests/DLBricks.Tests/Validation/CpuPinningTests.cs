using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

/// <summary>Affinity is process-wide, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition("affinity", DisableParallelization = true)]
public class AffinityCollection;

[Collection("affinity")]
public class CpuPinningTests
{
    [Fact]
    public void PinningRejectsMissingCoresWithoutChangingAffinity()
    {
        var before = ThreadMasks();
        using var pinning = CpuPinning.Apply([63]);
        if (CpuPinning.AllowedCores().Contains(63)) return;
        Assert.False(pinning.Applied);
        Assert.Contains("not available", pinning.Detail);
        Assert.Equal(before.Distinct().Order(), ThreadMasks().Distinct().Order());
    }

    [Fact]
    public void PinningAppliesAndRestores()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows()) return;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.ProcessorAffinity;
        var core = CpuPinning.AllowedCores()[0];
        using (var pinning = CpuPinning.Apply([core]))
        {
            Assert.True(pinning.Applied);
            process.Refresh();
            Assert.Equal((nint)(1L << core), process.ProcessorAffinity);
        }
        process.Refresh();
        Assert.Equal(before, process.ProcessorAffinity);
    }

    [Fact]
    public void PinningReachesThreadsThatAlreadyExist()
    {
        if (!OperatingSystem.IsLinux()) return;
        var mainBefore = MainMask();
        using var started = new ManualResetEventSlim();
        using var stop = new ManualResetEventSlim();
        var worker = new Thread(() => { started.Set(); stop.Wait(); }) { IsBackground = true };
        worker.Start();
        started.Wait();
        try
        {
            var core = CpuPinning.AllowedCores()[0];
            using (CpuPinning.Apply([core]))
            {
                Assert.All(ThreadMasks(), mask => Assert.Equal(core.ToString(System.Globalization.CultureInfo.InvariantCulture), mask));
            }
            Assert.All(ThreadMasks(), mask => Assert.Equal(mainBefore, mask));
        }
        finally
        {
            stop.Set();
            worker.Join();
        }
    }

    private static string MainMask() => File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:")).Split('\t')[^1];

    private static List<string> ThreadMasks()
    {
        if (!OperatingSystem.IsLinux()) return [];
        return Directory.GetDirectories("/proc/self/task")
            .Select(t =>
            {
                // Threads can exit while we read them.
                try { return File.ReadAllLines(Path.Combine(t, "status")).First(l => l.StartsWith("Cpus_allowed_list:")).Split('\t')[^1]; }
                catch (IOException) { return null; }
            })
            .OfType<string>().ToList();
    }
}
