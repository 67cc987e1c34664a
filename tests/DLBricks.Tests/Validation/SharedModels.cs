namespace DLBricks.Tests.Validation;

/// <summary>The shared model-zoo topologies, found beside the repository root (<c>../shared/models/onnx-light</c>).</summary>
internal static class SharedModels
{
    public static string Path(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "DLBricks.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("repository root (DLBricks.sln) not found above " + AppContext.BaseDirectory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "models", "onnx-light", name + ".onnx"));
        if (!File.Exists(path)) throw new FileNotFoundException("shared test model missing", path);
        return path;
    }
}
