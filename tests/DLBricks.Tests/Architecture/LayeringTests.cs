using System.Reflection;
using NetArchTest.Rules;

namespace DLBricks.Tests.Architecture;

/// <summary>
/// Dependencies between the library's stages point down only (docs/architecture.md): a stage may use the shared
/// records and any stage before it, never one after it, and only the root façade composes stages.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The stages bottom to top; Emit sits beside Benchmarking, above it.</summary>
    internal static readonly string[] Stages =
    [
        "DLBricks.Shared",
        "DLBricks.Onnx",
        "DLBricks.Graph",
        "DLBricks.Splitting",
        "DLBricks.Export",
        "DLBricks.Benchmarking",
        "DLBricks.Emit",
        "DLBricks.Storage",
        "DLBricks.Estimation",
        "DLBricks.Validation",
        "DLBricks.Reporting",
    ];

    private static readonly Assembly Library = typeof(SplitRunner).Assembly;

    // Every stage namespace starts with "DLBricks.", so the root façade is named type by type.
    private static readonly string[] RootTypes = Library.GetTypes()
        .Where(t => t.Namespace == "DLBricks" && !t.IsNested && !t.Name.StartsWith('<'))
        .Select(t => t.FullName!)
        .ToArray();

    public static TheoryData<string> StageNames() => new(Stages);

    [Theory]
    [MemberData(nameof(StageNames))]
    public void StageUsesNoLaterStage(string stage)
    {
        var later = Stages.SkipWhile(s => s != stage).Skip(1).Append("the root façade");
        var violations = later
            .SelectMany(target => Offenders(stage, target == "the root façade" ? RootTypes : [target])
                .Select(type => $"{type} -> {target}"))
            .ToList();

        Assert.True(violations.Count == 0,
            $"{stage} must not use a later stage; move the shared type to DLBricks.Shared or the composition to the root façade:\n  "
            + string.Join("\n  ", violations));
    }

    [Fact]
    public void CheckSeesARealDependency()
    {
        // Guards the rule against passing vacuously: Reporting renders estimates, so the same check run upwards must flag it.
        Assert.NotEmpty(Offenders("DLBricks.Reporting", ["DLBricks.Estimation"]));
        Assert.NotEmpty(Offenders("DLBricks.Validation", [typeof(Shared.InvalidModelException).FullName!]));
    }

    [Fact]
    public void EveryNamespaceBelongsToAStage()
    {
        // A new folder outside the list would escape the layering rule without anyone noticing.
        var unplaced = Library.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns != "DLBricks" && !Stages.Any(s => ns == s || ns.StartsWith(s + ".", StringComparison.Ordinal)))
            .Distinct()
            .ToList();

        Assert.True(unplaced.Count == 0, "namespaces missing from LayeringTests.Stages and docs/architecture.md: " + string.Join(", ", unplaced));
    }

    private static IReadOnlyList<string> Offenders(string stage, string[] dependencies)
    {
        // ResideInNamespace matches full type names by prefix: the trailing dot keeps DLBricks.Validation from taking in
        // DLBricks.ValidationRunner. Dependencies are matched name part by name part, so they need no dot.
        var result = Types.InAssembly(Library)
            .That().ResideInNamespace(stage + ".")
            .ShouldNot().HaveDependencyOnAny(dependencies)
            .GetResult();
        return result.IsSuccessful ? [] : (result.FailingTypeNames ?? []).ToList();
    }
}
