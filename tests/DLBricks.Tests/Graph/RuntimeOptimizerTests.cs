using DLBricks.Graph;

namespace DLBricks.Tests.Graph;

/// <summary>ONNX Runtime says "Protobuf serialization failed" when the optimized copy does not fit; the error must name the disk.</summary>
public class RuntimeOptimizerTests
{
    [Fact]
    public void A_nearly_full_disk_is_named_with_the_free_space_and_the_fix()
    {
        var hint = RuntimeOptimizer.DiskHint(freeBytes: 80L << 20, modelBytes: 550L << 20, folder: "/tmp");

        Assert.Contains("only 80 MiB free in /tmp", hint);
        Assert.Contains("550 MiB model", hint);
        Assert.Contains("TMPDIR", hint);
    }

    [Fact]
    public void Enough_space_adds_nothing_to_the_runtime_error()
    {
        Assert.Equal("", RuntimeOptimizer.DiskHint(freeBytes: 10L << 30, modelBytes: 550L << 20, folder: "/tmp"));
        // A margin of 64 MiB beyond the copy: a model that would leave the disk brim-full still gets the hint.
        Assert.NotEqual("", RuntimeOptimizer.DiskHint(freeBytes: (550L << 20) + (10L << 20), modelBytes: 550L << 20, folder: "/tmp"));
    }
}
