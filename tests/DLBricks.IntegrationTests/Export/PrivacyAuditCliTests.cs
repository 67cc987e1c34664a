using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using DLBricks.Tests.Cli;
using Google.Protobuf;

namespace DLBricks.Tests.Export;

/// <summary>The <c>audit-privacy</c> verb, as a process: exit 0 on a clean split, exit 4 naming what leaked otherwise.</summary>
public sealed class PrivacyAuditCliTests
{
    [Fact]
    public void AuditVerbExitsZeroOnACleanSplitAndFourNamingALeak()
    {
        using var temp = new TempFolder();
        var fixture = new PrivacyFixture(seed: 1);
        var model = fixture.Save(temp.Path);
        var options = new SplitOptions { Granularity = 1, Source = LayerSourceOptions.Raw };
        var clean = temp.File("clean");
        SplitRunner.Run([model], options, clean);
        var leaky = temp.File("leaky");
        SplitRunner.Run([model], options, leaky);

        // What a split that kept node names would publish.
        var victim = Path.Combine(leaky, BrickCatalog.Load(leaky).Bricks[0].File);
        var brick = ModelProto.Parser.ParseFrom(File.ReadAllBytes(victim));
        brick.Graph.Node[0].Name = "AcmeSecret_conv1";
        File.WriteAllBytes(victim, brick.ToByteArray());

        var (cleanCode, cleanOut, cleanErr) = CliProcess.Run("audit-privacy", clean, model);
        Assert.True(cleanCode == 0, cleanOut + cleanErr);
        var (leakCode, leakOut, leakErr) = CliProcess.Run("audit-privacy", leaky, model);
        Assert.True(leakCode == 4, leakOut + leakErr);
        Assert.Contains("AcmeSecret_conv1", leakOut);
    }

    [Fact]
    public void AnUnreadableModelIsNamedWithoutATraceWhateverTheJobs()
    {
        using var temp = new TempFolder();
        var model = new PrivacyFixture(seed: 1).Save(temp.Path);
        var split = temp.File("split");
        SplitRunner.Run([model], new SplitOptions { Granularity = 1, Source = LayerSourceOptions.Raw }, split);
        var broken = temp.File("broken.onnx");
        File.WriteAllBytes(broken, [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);

        foreach (var jobs in new[] { "1", "2" })
        {
            var (code, output, error) = CliProcess.Run("audit-privacy", split, model, broken, "--jobs", jobs);
            Assert.True(code == 2, $"exit {code}: {output}{error}");
            Assert.Contains("broken.onnx", error);
            Assert.DoesNotContain("Exception", output + error);
        }
    }

    [Fact]
    public async Task AFifoInTheSplitFolderDoesNotHangTheAudit()
    {
        using var temp = new TempFolder();
        var model = new PrivacyFixture(seed: 1).Save(temp.Path);
        var split = temp.File("split");
        SplitRunner.Run([model], new SplitOptions { Granularity = 1, Source = LayerSourceOptions.Raw }, split);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(split, "bricks", "pipe.onnx")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO for reading waits for a writer that never comes; the audit must not.
        var report = await Task.Run(() => PrivacyAudit.Run(split, [model], jobs: 2)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(report.IsClean);
        Assert.Contains("bricks/pipe.onnx", report.PublicFiles);
    }

}
