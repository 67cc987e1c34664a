namespace DLBricks.Tests;

/// <summary>
/// The one temporary-folder helper of the tests. A test that owns a folder writes <c>using var temp = new TempFolder();</c>
/// and the folder is deleted when the test ends; a helper that can hand back only a path (no scope to dispose) uses
/// <see cref="CreateUntilExit"/>, whose folders are deleted when the test process exits, so runs do not pile folders up in /tmp.
/// </summary>
internal sealed class TempFolder : IDisposable
{
    private static readonly List<string> LeftUntilExit = [];

    static TempFolder() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (LeftUntilExit)
            foreach (var folder in LeftUntilExit)
                Delete(folder);
    };

    /// <summary>Creates an empty folder named <paramref name="prefix"/> plus a random suffix under the system temp folder.</summary>
    public TempFolder(string prefix = "dlbricks-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Path of <paramref name="name"/> inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Deletes the folder and everything in it.</summary>
    public void Dispose() => Delete(Path);

    /// <summary>Creates an empty folder that lives until the test process exits.</summary>
    public static string CreateUntilExit(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        lock (LeftUntilExit) LeftUntilExit.Add(folder);
        return folder;
    }

    // A file still held open (a crashed child process, an ORT session on Windows) must not fail the test that cleans up.
    private static void Delete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
