using DLBricks.Benchmarking;

namespace DLBricks.Tests.Benchmarking;

public class CacheTopologyTests
{
    [Theory]
    [InlineData("32K", 32L << 10)]
    [InlineData("1024K\n", 1L << 20)]
    [InlineData(" 1024 KB", 1L << 20)]
    [InlineData("8M", 8L << 20)]
    [InlineData("2MiB", 2L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("65536", 65536L)]
    [InlineData("", null)]
    [InlineData("12X", null)]
    [InlineData("-3K", null)]
    [InlineData("K", null)]
    public void ParsesCacheSizesAsTheKernelWritesThem(string text, long? expected) => Assert.Equal(expected, CacheTopology.ParseSize(text));

    [Fact]
    public void RotationFollowsTheLargestPrivateCacheFromSysfs()
    {
        var root = Directory.CreateTempSubdirectory("dlbricks-cache-").FullName;
        try
        {
            void Index(int i, int level, string type, string size)
            {
                var d = Directory.CreateDirectory(Path.Combine(root, "cache", $"index{i}")).FullName;
                File.WriteAllText(Path.Combine(d, "level"), $"{level}\n");
                File.WriteAllText(Path.Combine(d, "type"), $"{type}\n");
                File.WriteAllText(Path.Combine(d, "size"), $"{size}\n");
            }
            Index(0, 1, "Data", "48K");
            Index(1, 1, "Instruction", "4096K"); // an instruction cache never holds weights: ignored even when largest
            Index(2, 2, "Unified", "2048K");
            Index(3, 3, "Unified", "32768K"); // shared by all cores: not the private cache rotation must overflow

            var topology = CacheTopology.Detect(Path.Combine(root, "cache"), Path.Combine(root, "no-cpuinfo"));

            Assert.Equal("sysfs", topology.Source);
            Assert.Equal(4, topology.Caches.Count);
            Assert.Equal(2L << 20, topology.LargestPrivateCacheBytes);
            Assert.Equal(16L << 20, topology.RotationBytes);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FallsBackToCpuinfoThenToTheTunedConstant()
    {
        var root = Directory.CreateTempSubdirectory("dlbricks-cache-").FullName;
        try
        {
            var cpuinfo = Path.Combine(root, "cpuinfo");
            File.WriteAllText(cpuinfo, "processor\t: 0\nmodel name\t: AMD EPYC\ncache size\t: 512 KB\n");
            var fromCpuinfo = CacheTopology.Detect(Path.Combine(root, "missing"), cpuinfo);
            Assert.Equal("/proc/cpuinfo", fromCpuinfo.Source);
            Assert.Equal(4L << 20, fromCpuinfo.RotationBytes);

            File.WriteAllText(cpuinfo, "processor\t: 0\ncache size\t: lots\n");
            var none = CacheTopology.Detect(Path.Combine(root, "missing"), cpuinfo);
            Assert.Equal("none", none.Source);
            Assert.Null(none.LargestPrivateCacheBytes);
            Assert.Equal(CacheTopology.FallbackRotationBytes, none.RotationBytes);

            // A tiny or absurd report is clamped rather than trusted.
            Assert.Equal(CacheTopology.MinRotationBytes, new CacheTopology([new CpuCache(1, "Data", 4096)], "test").RotationBytes);
            Assert.Equal(CacheTopology.MaxRotationBytes, new CacheTopology([new CpuCache(2, "Unified", 1L << 30)], "test").RotationBytes);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TheDefaultJobRotatesThisMachinesDerivedSize() =>
        Assert.Equal(CacheTopology.Current.RotationBytes, BenchmarkJob.Default.RotationBytes);

    [Fact]
    public void TheRotationThresholdIsAnOptionThatReachesTheJobAndTheResultsKey()
    {
        const long small = 8 << 10; // a depthwise kernel's weights: one copy by default
        var (defaultConfiguration, defaultJob) = BricksOptions.Default.ToMeasurement();
        Assert.Equal(BenchmarkJob.DefaultMinRotatedWeightBytes, defaultJob.MinRotatedWeightBytes);
        Assert.Equal(1, defaultJob.CopiesFor(bytesMoved: 16 << 10, weightBytes: small));

        var (configuration, job) = BricksOptions.Default.WithMinRotatedWeightBytes(4096).ToMeasurement();
        Assert.Equal(4096, job.MinRotatedWeightBytes);
        Assert.True(job.CopiesFor(bytesMoved: 16 << 10, weightBytes: small) > 1);
        Assert.Contains("min-rotated=4096", configuration.Measurement);
        Assert.NotEqual(defaultConfiguration.Key, configuration.Key);

        var refused = Assert.Throws<InvalidModelException>(() => BricksOptions.Default.WithMinRotatedWeightBytes(-1).ToMeasurement());
        Assert.StartsWith("--min-rotated-bytes -1", refused.Message);
    }
}
