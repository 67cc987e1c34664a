namespace DLBricks.Reporting;

/// <summary>Writes a file through a temporary sibling and a rename, so readers never see a half-written report.</summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<string> writeTo)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        try
        {
            writeTo(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));
}
