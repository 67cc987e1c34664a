using System.Reflection;
using DLBricks.Benchmarking;
using DLBricks.Emit;
using DLBricks.Export;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.OnnxRuntime;
using DLBricks.Splitting;

namespace DLBricks.Tests.Emit;

/// <summary>
/// The emitted suite's C# sources (the templates plus the library's portable files) compile, in memory with Roslyn (it comes
/// with BenchmarkDotNet), as the suite project compiles them, so the templates cannot rot between emit runs; and the compiled
/// suite feeds a brick exactly the tensors <c>dlbricks bench</c> feeds it.
/// </summary>
public sealed class SuiteSourcesTests
{
    // The suite project's implicit usings (Microsoft.NET.Sdk, console app).
    private const string ImplicitUsings = "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; " +
                                          "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    private static readonly IReadOnlyList<(string Path, string Text)> Files =
        SuiteTemplates.Files(EmittedSuite.BenchmarkDotNetVersion, EmittedSuite.OnnxRuntimeVersion);

    private static readonly Lazy<(Assembly? Assembly, IReadOnlyList<Diagnostic> Diagnostics)> Compiled = new(Compile);

    public static TheoryData<string, string, long[], long[]?, double?, double?> Specs => new()
    {
        { "9ca4258eae5cf794ae22072f6a85bfa41c0f49d558f8f0fb3e4d803bb36be461", "float", [1, 3, 8, 8], null, null, null },
        { "0ca68e075cacd88cba2a267c10231bdddf6c08c057c48e546d33ec3142690750", "int64", [7], [3, 1, 4], null, null },
        { "ffffffff5cacd88cba2a267c10231bdddf6c08c057c48e546d33ec31426907ab", "int32", [64], null, 2, 9 },
        { "not-a-hash", "bool", [33], null, null, null },
        { "1a7b195080dda1a3479ae37a550d4b7715867d81ab190a7104e1f8fd6da11701", "float16", [5, 5], null, null, null },
        { "23824c4c21c0aa", "uint8", [40], null, null, 200 },
        { "5742362ee54a44cbb79780da55591fce9415d31bd6203658617ffc6935ad8571", "double", [9], null, null, null },
    };

    [Fact]
    public void SuiteSourcesCompileWithoutErrorsOrWarnings()
    {
        Assert.Contains(Files, f => f.Path == "Program.cs");
        Assert.Empty(Compiled.Value.Diagnostics.Select(d => d.ToString()));
        Assert.NotNull(Compiled.Value.Assembly);
    }

    [Fact]
    public void SuiteCarriesTheLibrarysPortableSourceFilesUnchanged()
    {
        var portable = Files.Where(f => f.Path.StartsWith("DLBricks/", StringComparison.Ordinal)).ToList();
        var library = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "src", "DLBricks", "Benchmarking"), "*.Portable.cs");

        Assert.Equal(library.Select(Path.GetFileName).Order(), portable.Select(f => f.Path["DLBricks/".Length..]).Order());
        foreach (var (path, text) in portable)
            Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "DLBricks", "Benchmarking", path["DLBricks/".Length..])).ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void OnlyTheProjectFileHasPlaceholdersAndEmitFillsThemAll()
    {
        Assert.DoesNotContain(Files, f => f.Text.Contains("{{", StringComparison.Ordinal) && !f.Path.EndsWith(".cs", StringComparison.Ordinal));
        var project = Files.Single(f => f.Path == SuiteTemplates.ProjectName + ".csproj").Text;
        Assert.Contains($"Version=\"{EmittedSuite.BenchmarkDotNetVersion}\"", project);
        Assert.Contains($"Version=\"{EmittedSuite.OnnxRuntimeVersion}\"", project);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void CompiledSuiteMakesTheSameTensorsAsSyntheticInputs(string hash, string type, long[] shape, long[]? values, double? min, double? max)
    {
        var generated = Compiled.Value.Assembly ?? throw new InvalidOperationException(string.Join('\n', Compiled.Value.Diagnostics));
        var inputs = generated.GetType("DLBricks.Benchmarking.SyntheticInputs", throwOnError: true)!;
        var specType = generated.GetType("DLBricksSuite.TensorSpec", throwOnError: true)!;
        var seed = (int)inputs.GetMethod("SeedFrom")!.Invoke(null, [hash])!;
        Assert.Equal(SyntheticInputs.SeedFrom(hash), seed);

        var spec = Activator.CreateInstance(specType, "in0", type, shape, values, min, max)!;
        using var suite = (OrtValue)inputs.GetMethod("Create", [specType, typeof(Random)])!.Invoke(null, [spec, new Random(seed)])!;
        using var ours = SyntheticInputs.Create(new BrickTensor("in0", type, shape, values, min, max), new Random(SyntheticInputs.SeedFrom(hash)));

        Assert.Equal(ours.GetTensorTypeAndShape().ElementDataType, suite.GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(ours.GetTensorTypeAndShape().Shape, suite.GetTensorTypeAndShape().Shape);
        Assert.Equal(ours.GetTensorMutableRawData().ToArray(), suite.GetTensorMutableRawData().ToArray());
    }

    private static (Assembly?, IReadOnlyList<Diagnostic>) Compile()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Files.Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal))
            .Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.cs"));
        // Everything the test process can load, except DLBricks itself: the suite never references it.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("DLBricks", StringComparison.Ordinal))
            .Append(typeof(OrtValue).Assembly.Location)
            .Append(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute).Assembly.Location)
            .Append(typeof(BenchmarkDotNet.Running.BenchmarkSwitcher).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(SuiteTemplates.ProjectName, trees, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        // CS1701/CS1702 (reference version unification) are silenced by the SDK in every real build.
        var diagnostics = emitted.Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702"))
            .ToList();
        return (emitted.Success ? Assembly.Load(image.ToArray()) : null, diagnostics);
    }
}
