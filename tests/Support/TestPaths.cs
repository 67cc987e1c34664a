namespace DLBricks.Tests;

/// <summary>Locates the repository and the shared light models from the test output folder.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string LightModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models", "onnx-light"));

    public static string LightModel(string name) => Path.Combine(LightModels, name + ".onnx");

    public static readonly string[] AllLightModels =
        ["bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet", "squeezenet", "vgg19", "zfnet512"];

    public static IEnumerable<object[]> LightModelNames => AllLightModels.Select(n => new object[] { n });

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DLBricks.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DLBricks.sln not found above " + AppContext.BaseDirectory);
    }
}
