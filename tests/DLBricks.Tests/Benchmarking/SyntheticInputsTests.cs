using DLBricks.Benchmarking;
using DLBricks.Export;
using Microsoft.ML.OnnxRuntime;
using DLBricks.Splitting;

namespace DLBricks.Tests.Benchmarking;

public class SyntheticInputsTests
{
    [Fact]
    public void FloatsAreSeededAndInRange()
    {
        var spec = new BrickTensor("in0", "float", [2, 50]);
        using var a = SyntheticInputs.Create(spec, new Random(SyntheticInputs.SeedFrom("0badc0de")));
        using var b = SyntheticInputs.Create(spec, new Random(SyntheticInputs.SeedFrom("0badc0de")));
        using var c = SyntheticInputs.Create(spec, new Random(SyntheticInputs.SeedFrom("12345678")));
        var first = a.GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(100, first.Length);
        Assert.Equal(first, b.GetTensorDataAsSpan<float>().ToArray());
        Assert.NotEqual(first, c.GetTensorDataAsSpan<float>().ToArray());
        Assert.All(first, x => Assert.InRange(x, SyntheticInputs.FloatMin, SyntheticInputs.FloatMax));
        Assert.True(first.Distinct().Count() > 50);
    }

    [Fact]
    public void IntegerValuesAreFedVerbatim()
    {
        using var value = SyntheticInputs.Create(new BrickTensor("idx", "int64", [4], Values: [3, 0, 2, 1]), new Random(1));
        Assert.Equal([3L, 0, 2, 1], value.GetTensorDataAsSpan<long>().ToArray());
    }

    [Fact]
    public void IntegersWithoutValuesStayInTheirRange()
    {
        using var value = SyntheticInputs.Create(new BrickTensor("len", "int32", [1000], Min: 5, Max: 9), new Random(1));
        var data = value.GetTensorDataAsSpan<int>().ToArray();
        Assert.All(data, x => Assert.InRange(x, 5, 9));
        Assert.Equal([5, 6, 7, 8, 9], data.Distinct().Order());
    }

    [Fact]
    public void BooleansAndStringsAreGenerated()
    {
        using var flags = SyntheticInputs.Create(new BrickTensor("b", "bool", [200]), new Random(1));
        Assert.Equal([false, true], flags.GetTensorDataAsSpan<bool>().ToArray().Distinct().Order());
        using var text = SyntheticInputs.Create(new BrickTensor("s", "string", [3]), new Random(1));
        Assert.All(text.GetStringTensorAsArray(), s => Assert.StartsWith("s", s));
    }

    [Fact]
    public void UnknownDimensionIsRejected()
        => Assert.Throws<ArgumentException>(() => SyntheticInputs.Create(new BrickTensor("x", "float", [-1, 3]), new Random(1)));

    [Fact]
    public void TrimmedMeanDropsTwentyPercentAtEachEnd()
    {
        // 10 values: drop 2 at each end -> mean of 3..8.
        Assert.Equal(5.5, Percentiles.TrimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]), 9);
        Assert.Equal(2.0, Percentiles.TrimmedMean([1, 2, 3]), 9);
    }
}

public class OnnxModelRunnerTests
{
    private static readonly RunConfiguration Cpu = DLBricks.Benchmarking.BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");

    [Fact]
    public void RunAllocatesNothingOnTheManagedHeap()
    {
        using var runner = OnnxModelRunner.Open(CalibrationModel.Identity(), Cpu);
        runner.Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            runner.Run();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void InputDescriptionMustMatchTheModel()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            OnnxModelRunner.Open(CalibrationModel.Identity(), Cpu, [new BrickTensor("nope", "float", [1])]));
        Assert.Contains("nope", error.Message);
    }
}
