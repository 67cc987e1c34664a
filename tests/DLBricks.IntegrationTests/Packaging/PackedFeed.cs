using System.IO.Compression;

namespace DLBricks.Tests.Packaging;

/// <summary>
/// Packs the library and the CLI once per test run into a local folder feed, under a version no other run uses, so the
/// global packages folder can never hand a consumer a stale copy; removes that version from it afterwards.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public PackedFeed()
    {
        Root = Directory.CreateTempSubdirectory("dlbricks-pack-").FullName;
        Feed = Path.Combine(Root, "feed");
        Version = $"0.1.0-pkgtest{Guid.NewGuid():N}"[..29];
        GlobalPackages = FindGlobalPackages();
        var artifacts = Path.Combine(Root, "artifacts"); // the repo's own bin/obj stay untouched while tests use them
        foreach (var project in new[] { "src/DLBricks", "src/DLBricks.Cli" })
        {
            var pack = DotnetProcess.Dotnet(TestPaths.RepoRoot, "pack", project, "-c", "Release", "-o", Feed,
                "--artifacts-path", artifacts, $"-p:Version={Version}");
            if (pack.ExitCode != 0) throw new InvalidOperationException(pack.Describe($"dotnet pack {project}"));
        }
    }

    /// <summary>Temp folder holding the feed and scratch projects.</summary>
    public string Root { get; }

    /// <summary>The local folder feed with the packed .nupkg/.snupkg files.</summary>
    public string Feed { get; }

    /// <summary>Version both packages were packed with.</summary>
    public string Version { get; }

    /// <summary>NuGet's global packages folder: every dependency the repository restored is already there.</summary>
    public string GlobalPackages { get; }

    /// <summary>Path of a packed file in the feed.</summary>
    public string Package(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    /// <summary>Entry names inside a package.</summary>
    public IReadOnlyList<string> Entries(string id, string extension = "nupkg")
    {
        using var zip = ZipFile.OpenRead(Package(id, extension));
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>Writes a nuget.config into <paramref name="folder"/> whose only sources are the feed and the global packages folder.</summary>
    public void WriteOfflineNuGetConfig(string folder) =>
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="dlbricks-test-feed" value="{Feed}" />
                <add key="global-packages" value="{GlobalPackages}" />
              </packageSources>
            </configuration>
            """);

    private static string FindGlobalPackages()
    {
        var list = DotnetProcess.Dotnet(Path.GetTempPath(), "nuget", "locals", "global-packages", "--list");
        const string prefix = "global-packages:";
        var line = list.StdOut.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (list.ExitCode != 0 || line is null) throw new InvalidOperationException(list.Describe("dotnet nuget locals global-packages --list"));
        return line[prefix.Length..].Trim();
    }

    public void Dispose()
    {
        foreach (var id in new[] { "dlbricks", "dlbricks.cli" })
        {
            var restored = Path.Combine(GlobalPackages, id, Version);
            if (Directory.Exists(restored)) Directory.Delete(restored, recursive: true);
            var idFolder = Path.GetDirectoryName(restored)!;
            if (Directory.Exists(idFolder) && !Directory.EnumerateFileSystemEntries(idFolder).Any()) Directory.Delete(idFolder);
        }
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
