using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

public class ProfileTests
{
    [Fact]
    public void ParserSumsKernelTimesPerRun()
    {
        // Two runs; fences and session events are not compute; the node at ts 5000 lies outside every run.
        const string trace = """
        [
          {"cat":"Session","pid":1,"tid":1,"dur":500,"ts":1,"ph":"X","name":"session_initialization","args":{}},
          {"cat":"Session","pid":1,"tid":1,"dur":100,"ts":1000,"ph":"X","name":"model_run","args":{}},
          {"cat":"Node","pid":1,"tid":1,"dur":5,"ts":1001,"ph":"X","name":"mm1_fence_before","args":{}},
          {"cat":"Node","pid":1,"tid":1,"dur":30,"ts":1010,"ph":"X","name":"mm1_kernel_time","args":{"op_name":"MatMul"}},
          {"cat":"Node","pid":1,"tid":1,"dur":20,"ts":1050,"ph":"X","name":"relu1_kernel_time","args":{"op_name":"Relu"}},
          {"cat":"Session","pid":1,"tid":1,"dur":200,"ts":2000,"ph":"X","name":"model_run","args":{}},
          {"cat":"Node","pid":1,"tid":1,"dur":150,"ts":2010,"ph":"X","name":"mm1_kernel_time","args":{"op_name":"MatMul"}},
          {"cat":"Node","pid":1,"tid":1,"dur":99,"ts":5000,"ph":"X","name":"stray_kernel_time","args":{}}
        ]
        """;
        var profile = OrtProfile.Parse(trace);

        Assert.Equal(2, profile.Runs.Count);
        Assert.Equal(new ProfiledRun(0.1, 0.05, 2), profile.Runs[0]);
        Assert.Equal(0.2, profile.Runs[1].RunMs, 9);
        Assert.Equal(0.15, profile.Runs[1].NodeSumMs, 9);
        Assert.Equal(1, profile.Runs[1].NodeEvents);
    }

    [Fact]
    public void ParserRejectsNonTraces()
    {
        Assert.Throws<InvalidDataException>(() => OrtProfile.Parse("{\"a\":1}"));
        Assert.Throws<InvalidDataException>(() => OrtProfile.Parse("not json"));
    }

    [Fact]
    public void ProfileSumOfRealRunIsBelowEndToEnd()
    {
        var path = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var work = Path.GetDirectoryName(path)!;
        var result = ProfileSumCheck.Run(path, runs: 10, warmupRuns: 2, workFolder: work);

        Assert.Equal(10, result.Runs.Count);
        Assert.All(result.Runs, r =>
        {
            Assert.True(r.NodeSumMs > 0);
            // Kernels run inside the run, which runs inside the caller's timing.
            Assert.True(r.NodeSumMs <= r.TraceRunMs + 1e-9);
            Assert.True(r.TraceRunMs <= r.WallMs + 0.05);
        });
        Assert.InRange(result.NodeShare, 0.0, 1.0);
        // The trace is cleaned up; only the model remains.
        Assert.Equal([path], Directory.GetFiles(work));
    }
}
