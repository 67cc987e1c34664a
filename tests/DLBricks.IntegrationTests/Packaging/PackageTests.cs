using System.Globalization;

namespace DLBricks.Tests.Packaging;

/// <summary>
/// The packages as other tools see them: the library restored offline from a folder feed into a fresh console app that
/// runs the README's C# example, and the CLI installed as a .NET tool and run.
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
    public void Scratch_console_app_restores_the_package_offline_and_runs_the_readme_example_unchanged()
    {
        var app = Directory.CreateDirectory(Path.Combine(packed.Root, "consumer")).FullName;
        // The README names its model model.onnx and its database dlbricks.db, both in the working directory.
        File.Move(MillisecondChain(app), Path.Combine(app, "model.onnx"));
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
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DLBricks" Version="{packed.Version}" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />
              </ItemGroup>
            </Project>
            """);
        var example = ReadmeExample.CSharp();
        File.WriteAllText(Path.Combine(app, "Program.cs"), example);

        var run = DotnetProcess.Dotnet(app, "run", "-c", "Release");

        Assert.True(run.ExitCode == 0, run.Describe("dotnet run (the README example)") + "\n--- Program.cs\n" + example);
        var line = Assert.Single(run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            l => l.Contains(" ms sequential, ", StringComparison.Ordinal));
        var figures = line.Split(' ').Where(t => double.TryParse(t, NumberStyles.Float, CultureInfo.CurrentCulture, out _)).ToList();
        Assert.Equal(2, figures.Count);
        Assert.True(double.Parse(figures[0], CultureInfo.CurrentCulture) > 0, line);
        // The model is a chain: its critical path is every brick in turn, the same sum as the sequential estimate.
        Assert.Equal(figures[0], figures[1]);
        Assert.True(File.Exists(Path.Combine(app, "dlbricks.db")));
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

    /// <summary>
    /// x [64,512] → MatMul → Relu → MatMul → Relu: large enough (about a millisecond per MatMul on one core) that the README's
    /// two-decimal figures are not 0.00.
    /// </summary>
    private static string MillisecondChain(string folder)
    {
        var m = new TinyModel().Input("x", 64, 512);
        m.Weight("w1", 512, 512);
        m.Weight("w2", 512, 512);
        m.Node("MatMul", ["x", "w1"], ["h1"]);
        m.Node("Relu", ["h1"], ["a1"]);
        m.Node("MatMul", ["a1", "w2"], ["h2"]);
        m.Node("Relu", ["h2"], ["y"]);
        m.Output("y");
        return m.Save(folder, "chain");
    }
}
