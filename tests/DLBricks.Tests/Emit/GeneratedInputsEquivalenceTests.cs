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
/// The suite's generated synthetic-input code must feed a brick exactly the tensors <c>dlbricks bench</c> feeds it. Compiles the
/// generated source in memory (Roslyn comes with BenchmarkDotNet) and compares tensors byte for byte.
/// </summary>
public sealed class GeneratedInputsEquivalenceTests
{
    private static readonly Lazy<Assembly> Generated = new(Compile);

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

    [Theory]
    [MemberData(nameof(Specs))]
    public void GeneratedCodeMakesTheSameTensorsAsSyntheticInputs(string hash, string type, long[] shape, long[]? values, double? min, double? max)
    {
        var inputs = Generated.Value.GetType("DLBricksSuite.SyntheticInputs", throwOnError: true)!;
        var specType = Generated.Value.GetType("DLBricksSuite.TensorSpec", throwOnError: true)!;
        var seed = (int)inputs.GetMethod("SeedFrom")!.Invoke(null, [hash])!;
        Assert.Equal(SyntheticInputs.SeedFrom(hash), seed);

        var spec = Activator.CreateInstance(specType, "in0", type, shape, values, min, max)!;
        using var generated = (OrtValue)inputs.GetMethod("Create")!.Invoke(null, [spec, new Random(seed)])!;
        using var ours = SyntheticInputs.Create(new BrickTensor("in0", type, shape, values, min, max), new Random(SyntheticInputs.SeedFrom(hash)));

        Assert.Equal(ours.GetTensorTypeAndShape().ElementDataType, generated.GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(ours.GetTensorTypeAndShape().Shape, generated.GetTensorTypeAndShape().Shape);
        Assert.Equal(ours.GetTensorMutableRawData().ToArray(), generated.GetTensorMutableRawData().ToArray());
    }

    private static Assembly Compile()
    {
        // The suite project has implicit usings; give the in-memory compilation the same ones.
        const string usings = "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic;";
        var trees = new[] { usings, SuiteSources.Suite, SuiteSources.Inputs }.Select(text => CSharpSyntaxTree.ParseText(text));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(OrtValue).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("GeneratedSuiteInputs", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray());
    }
}
