namespace DLBricks.Tests;

/// <summary>
/// Temporary folders for tests whose helpers return only a path (no scope to dispose): removed when the test process exits,
/// so runs do not pile folders up in /tmp.
/// </summary>
internal static class TestTempFolders
{
    private static readonly List<string> Created = [];

    static TestTempFolders() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Created)
            foreach (var folder in Created)
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    };

    /// <summary>Creates an empty folder named <paramref name="prefix"/> plus a GUID under the system temp folder.</summary>
    public static string Create(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        lock (Created) Created.Add(folder);
        return folder;
    }
}
