using System.Text.Json;
using DLBricks.Cli.Commands;
using DLBricks.Tests.Validation;

namespace DLBricks.Tests.Cli;

/// <summary>Hostile files through the real CLI: one line and a non-zero exit, never a stack trace, never partial output.</summary>
public class HostileFilesCliTests
{
    private static void AssertOneLineError((int ExitCode, string StdOut, string StdErr) run, string expected)
    {
        Assert.True(run.ExitCode != 0, run.StdErr);
        Assert.DoesNotContain("   at ", run.StdErr + run.StdOut);
        Assert.DoesNotContain("Unhandled exception", run.StdErr + run.StdOut);
        var errors = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors);
        Assert.Contains(expected, line);
    }

    /// <summary>Every kind of hostile model, by name; each builds its file(s) in the folder and returns the model path.</summary>
    public static TheoryData<string, string> Kinds() => new()
    {
        { "huge-dims", "memory limit" },
        { "overflowing-dims", "64 bits" },
        { "negative-offset", "negative" },
        { "overflowing-offset", "offset" },
        { "non-numeric-length", "length 'abc'" },
        { "offset-plus-length-overflow", "out of range" },
        { "symlink-escape", "leaves the model folder" },
        { "truncated", "truncated or corrupt" },
        { "random-bytes", "hostile.onnx" },
    };

    private static string Build(string kind, string folder)
    {
        switch (kind)
        {
            case "huge-dims":
            case "overflowing-dims":
            {
                var d = kind == "huge-dims" ? 1L << 20 : 1L << 40;
                var m = new TinyModel().Input("x", d, d);
                m.Node("Relu", ["x"], ["y"]);
                m.Output("y");
                return m.Save(folder, "hostile");
            }
            case "negative-offset": return Rename(ModelFiles.ExternalModel(folder, "-1", "1024"));
            case "overflowing-offset": return Rename(ModelFiles.ExternalModel(folder, "18446744073709551616", "1024"));
            case "non-numeric-length": return Rename(ModelFiles.ExternalModel(folder, "0", "abc"));
            case "offset-plus-length-overflow": return Rename(ModelFiles.ExternalModel(folder, "9223372036854775807", "1"));
            case "symlink-escape":
            {
                var outside = Path.Combine(folder, "outside");
                Directory.CreateDirectory(outside);
                File.WriteAllBytes(Path.Combine(outside, "w.bin"), new byte[1024]);
                var inside = Path.Combine(folder, "model");
                Directory.CreateDirectory(inside);
                var path = ModelFiles.ExternalModel(inside, "0", "1024", writeData: false);
                File.CreateSymbolicLink(Path.Combine(inside, "weights.bin"), Path.Combine(outside, "w.bin"));
                return Rename(path);
            }
            case "truncated":
            {
                var bytes = File.ReadAllBytes(TestPaths.LightModel("squeezenet"));
                var path = Path.Combine(folder, "hostile.onnx");
                File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
                return path;
            }
            default:
            {
                var bytes = new byte[4096];
                new Random(13).NextBytes(bytes);
                var path = Path.Combine(folder, "hostile.onnx");
                File.WriteAllBytes(path, bytes);
                return path;
            }
        }
    }

    private static string Rename(string path)
    {
        var target = Path.Combine(Path.GetDirectoryName(path)!, "hostile.onnx");
        File.Move(path, target);
        return target;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SplitOfAHostileFileEndsWithOneLineAndNoOutput(string kind, string expected)
    {
        if (kind == "symlink-escape" && OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        var model = Build(kind, temp.Path);
        var output = temp.File("out");
        var run = CliProcess.Run("split", model, "-g", "2", "-o", output);
        AssertOneLineError(run, expected);
        Assert.Equal(2, run.ExitCode);
        Assert.False(Directory.Exists(output), "split wrote output for a hostile file");
        Assert.Empty(Directory.GetDirectories(temp.Path, ".out.staging-*"));
    }

    [Fact]
    public void SplitGoesOnPastABadModelListsItAndExitsOne()
    {
        using var temp = new TempFolder();
        var good = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "good");
        var bad = Build("random-bytes", temp.Path);
        var output = temp.File("out");
        var (code, _, stderr) = CliProcess.Run("split", good, bad, "-g", "1", "-o", output);
        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Contains("failed: hostile: split failed:", stderr);
        Assert.True(File.Exists(Path.Combine(output, "recipes", "good.json")));
        Assert.False(File.Exists(Path.Combine(output, "recipes", "hostile.json")));
        Assert.NotEmpty(DLBricks.Splitting.BrickCatalog.Load(output).Bricks);
    }

    [Fact]
    public void InspectGoesOnPastAHugeInputAndExitsOne()
    {
        using var temp = new TempFolder();
        var bad = Build("huge-dims", temp.Path);
        var (code, stdout, stderr) = CliProcess.Run("inspect", TestPaths.LightModel("squeezenet"), bad);
        Assert.Equal(1, code);
        Assert.Contains("squeezenet", stdout);
        Assert.Contains("failed: hostile: inspect failed:", stderr);
        Assert.Contains("memory limit", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void ValidateWritesTheReportForTheOthersListsTheFailedModelAndLeavesNoProfileTraces()
    {
        using var temp = new TempFolder();
        var work = Path.Combine(temp.Path, "cwd");
        Directory.CreateDirectory(work);
        var good = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "good");
        // The gate model runs only with n = 1; --value n=0 makes it fail in its probe, so it is dropped at the split.
        var gate = ModelFiles.GateModel(temp.Path);
        var json = temp.File("v.json");
        var run = CliProcess.RunIn(work, "validate", good, gate, "-g", "1", "--quick", "--db", temp.File("r.db"), "--json", json,
            "-o", temp.File("report"), "--repeats", "2", "--value", "gate:n=0");
        Assert.True(run.ExitCode == 1, run.StdErr);
        Assert.DoesNotContain("   at ", run.StdErr);
        Assert.Contains("failed: gate:", run.StdErr);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.All(doc.RootElement.GetProperty("models").EnumerateArray(), m => Assert.Equal("good", m.GetProperty("name").GetString()));
        Assert.Equal("good", Assert.Single(doc.RootElement.GetProperty("profiles").EnumerateArray()).GetProperty("model").GetString());
        var failure = Assert.Single(doc.RootElement.GetProperty("failures").EnumerateArray());
        Assert.Equal("gate", failure.GetProperty("model").GetString());
        Assert.Contains("Reshape", failure.GetProperty("reason").GetString());
        Assert.Empty(Directory.GetFiles(work, "onnxruntime_profile__*.json"));
        Assert.Empty(Directory.GetFiles(work, "*.json"));
    }

    [Fact]
    public void AnUnexpectedErrorIsOneLineWithTheExitCodeAndWhereTheTraceWent()
    {
        var writer = new StringWriter();
        var previous = Console.Error;
        int code;
        try
        {
            Console.SetError(writer);
            code = CliErrors.Run(() => throw new NotSupportedException("a case nobody planned for"));
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Equal(70, code);
        var line = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.Contains("a case nobody planned for"));
        Assert.StartsWith("error: unexpected NotSupportedException", line);
        Assert.Contains("exit 70", line);
        var trace = line[(line.IndexOf("full trace in ", StringComparison.Ordinal) + "full trace in ".Length)..].TrimEnd(')', '\r');
        Assert.Contains("NotSupportedException", File.ReadAllText(trace));
        Assert.Contains(" at ", File.ReadAllText(trace));
        File.Delete(trace);
    }
}
