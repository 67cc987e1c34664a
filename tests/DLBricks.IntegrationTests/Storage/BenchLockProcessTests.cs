using DLBricks.Storage;

namespace DLBricks.Tests.Storage;

/// <summary>The bench lock of a SQLite store holds against another process, and dies with it.</summary>
public sealed class BenchLockProcessTests
{
    [Fact]
    public void BenchLockIsHeldAgainstOtherProcessesAndDiesWithItsHolder()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "x.locks", "s-c.lock");
        // Another process holds the lock: a python fcntl byte-range lock, the kind FileStream.Lock takes on Linux, so the child
        // needs no build of its own. Other systems have no python guarantee; the in-process test in ResultProvenanceTests covers them.
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/python3"))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "pid=4242; host=elsewhere; started=2026-01-01T00:00:00Z");
        var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList =
            {
                "-c",
                "import fcntl,os,sys,time\nf=os.open(sys.argv[1],os.O_RDWR)\nfcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB,1,1<<20)\nprint('held',flush=True)\nsys.stdin.read()",
                path,
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());
            var busy = Assert.Throws<ResultStoreBusyException>(() => BenchLock.Acquire(path, "store"));
            Assert.Equal("pid=4242; host=elsewhere; started=2026-01-01T00:00:00Z", busy.Holder);
            Assert.Contains("pid=4242", busy.Message);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
            holder.Dispose();
        }
        // The holder is gone (killed, not cleaned up): its lock went with it.
        using var mine = BenchLock.Acquire(path, "store");
        Assert.Contains($"pid={Environment.ProcessId};", File.ReadAllText(path));
    }
}
