using System.Diagnostics;

namespace DLBricks.Tests.Cli;

/// <summary>Runs the real <c>dlbricks</c> CLI as a child process, as a user would.</summary>
internal static class CliProcess
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "DLBricks.Cli.dll");

    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] args) => RunIn(null, args);

    /// <summary>Like <see cref="Run"/> with the child's current directory set to <paramref name="workingDirectory"/>.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunIn(string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dlbricks " + string.Join(' ', args));
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
