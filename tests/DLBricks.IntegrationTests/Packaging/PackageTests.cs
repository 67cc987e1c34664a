using System.Globalization;

namespace DLBricks.Tests.Packaging;

/// <summary>
/// The packages as other tools see them: the library restored offline from a folder feed into a fresh console app that
/// splits and estimates a model, and the CLI installed as a .NET tool and run.
/// </summary>
public sealed class PackageTests(PackedFeed packed) : IClassFixture<PackedFeed>
{
    [Fact]
    public void Library_package_carries_readme_xml_docs_symbols_and_the_managed_runtime_only()
    {
        var entries = packed.Entries("DLBricks");
        Assert.Contains("README.md", entries);
        Assert.Contains("lib/net10.0/DLBricks.dll", entries);
        Assert.Contains("lib/net10.0/DLBricks.xml", entries);
        Assert.Contains("lib/net10.0/DLBricks.pdb", packed.Entries("DLBricks", "snupkg"));

        using var zip = System.IO.Compression.ZipFile.OpenRead(packed.Package("DLBricks"));
        using var reader = new StreamReader(zip.GetEntry("DLBricks.nuspec")!.Open());
        var nuspec = reader.ReadToEnd();
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Contains("id=\"Microsoft.ML.OnnxRuntime.Managed\"", nuspec);
        // The native runtime (CPU or GPU) is the application's choice; the library must not force one.
        Assert.DoesNotContain("id=\"Microsoft.ML.OnnxRuntime\"", nuspec);
        Assert.DoesNotContain("id=\"Microsoft.ML.OnnxRuntime.Gpu\"", nuspec);
    }

    [Fact]
    public void Scratch_console_app_restores_the_package_offline_splits_and_estimates_a_model()
    {
        var app = Directory.CreateDirectory(Path.Combine(packed.Root, "consumer")).FullName;
        var model = TwoBlockModel(app);
        packed.WriteOfflineNuGetConfig(app);
        // Stop MSBuild's upward search at the scratch folder: the temp root must not lend it props or central versions.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DLBricks" Version="{packed.Version}" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Globalization;
            using DLBricks;
            using DLBricks.Benchmarking;
            using DLBricks.Shared;

            var (model, output) = (args[0], args[1]);
            var split = SplitRunner.Run([model], new SplitOptions { Granularity = 2 }, output);
            var config = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
            var measurer = new LatencyMeasurer(BenchmarkJob.Quick);
            var median = new Dictionary<string, double>();
            foreach (var brick in split.Catalog.Bricks)
            {
                using var runner = OnnxModelRunner.Open(Path.Combine(output, brick.File), config, brick.Inputs, brick.Outputs);
                median[brick.Hash] = measurer.Measure(brick.Hash, runner).Statistics.Median;
                Console.WriteLine(FormattableString.Invariant($"brick {brick.Hash} median_ms={median[brick.Hash]:R}"));
            }
            var recipe = split.Models[0].Recipe;
            var estimate = recipe.Occurrences.Sum(o => median[o.Hash]);
            Console.WriteLine(FormattableString.Invariant($"unique={split.UniqueBricks} occurrences={recipe.Occurrences.Count} estimate_ms={estimate:R}"));
            """);

        var run = DotnetProcess.Dotnet(app, "run", "-c", "Release", "--", model, Path.Combine(app, "split-out"));

        Assert.True(run.ExitCode == 0, run.Describe("dotnet run (consumer)"));
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var brickLine = Assert.Single(lines, l => l.StartsWith("brick ", StringComparison.Ordinal));
        var summary = Assert.Single(lines, l => l.StartsWith("unique=", StringComparison.Ordinal));
        // MatMul+Relu twice at G=2: one unique brick, two occurrences, estimate = 2 × its median.
        Assert.StartsWith("unique=1 occurrences=2 ", summary);
        var brickMedian = Value(brickLine, "median_ms");
        Assert.True(brickMedian > 0, brickLine);
        Assert.Equal(2 * brickMedian, Value(summary, "estimate_ms"), 9);
        Assert.True(File.Exists(Path.Combine(app, "split-out", "catalog.json")));
        // It really came from the folder feed, at the version just packed.
        Assert.True(Directory.Exists(Path.Combine(packed.GlobalPackages, "dlbricks", packed.Version)));
    }

    [Fact]
    public void Cli_package_installs_as_the_dlbricks_tool_and_splits_a_model()
    {
        var entries = packed.Entries("DLBricks.Cli");
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("tools/net10.0/any/runtimes/", StringComparison.Ordinal) && e.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so", entries);

        var work = Directory.CreateDirectory(Path.Combine(packed.Root, "tool")).FullName;
        packed.WriteOfflineNuGetConfig(work);
        var tools = Path.Combine(work, "tools");
        var install = DotnetProcess.Dotnet(work, "tool", "install", "--tool-path", tools, "--add-source", packed.Feed,
            "DLBricks.Cli", "--version", packed.Version);
        Assert.True(install.ExitCode == 0, install.Describe("dotnet tool install"));

        var dlbricks = Path.Combine(tools, OperatingSystem.IsWindows() ? "dlbricks.exe" : "dlbricks");
        var split = DotnetProcess.Run(work, TimeSpan.FromMinutes(2), dlbricks, "split", TwoBlockModel(work), "-o", Path.Combine(work, "out"), "-g", "2");
        Assert.True(split.ExitCode == 0, split.Describe("dlbricks split"));
        Assert.True(File.Exists(Path.Combine(work, "out", "catalog.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(work, "out", "bricks"), "*.onnx"));
    }

    /// <summary>x [1,16] → MatMul → Relu → MatMul → Relu: at G=2 two occurrences of one brick.</summary>
    private static string TwoBlockModel(string folder)
    {
        var m = new TinyModel().Input("x", 1, 16);
        m.Weight("w1", 16, 16);
        m.Weight("w2", 16, 16);
        m.Node("MatMul", ["x", "w1"], ["h1"]);
        m.Node("Relu", ["h1"], ["a1"]);
        m.Node("MatMul", ["a1", "w2"], ["h2"]);
        m.Node("Relu", ["h2"], ["y"]);
        m.Output("y");
        return m.Save(folder, "two_blocks");
    }

    private static double Value(string line, string key)
    {
        var token = line.Split(' ').Single(t => t.StartsWith(key + "=", StringComparison.Ordinal));
        return double.Parse(token[(key.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
