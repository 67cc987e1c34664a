using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using DLBricks.Export;
using DLBricks.Tests.Cli;
using Npgsql;

namespace DLBricks.Tests.Storage;

/// <summary>
/// Four real <c>dlbricks bench --worker</c> processes share one catalog through one PostgreSQL store; one is killed while it
/// holds a brick. Every brick must end with exactly one result and the dead worker's brick must be finished by another.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class FleetProcessTests(PostgresServer server) : IDisposable
{
    private const int LeaseSeconds = 3;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dlbricks-fleet-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void FourWorkersMeasureEveryBrickOnceAndTakeUpTheKilledWorkersBrick()
    {
        var split = SplitRunner.Run([TestPaths.LightModel("squeezenet")], new SplitOptions { Granularity = 1 }, _folder);
        var bricks = split.Catalog.Bricks.Select(b => b.Hash).ToHashSet(StringComparer.Ordinal);
        var database = server.CreateDatabase();

        var workers = new List<Worker>();
        try
        {
            // The victim starts first and the others join once it holds a brick, so it cannot lose the race for the queue
            // (bricks are fast enough that three warmed-up workers could drain it before the victim's first claim).
            workers.Add(Worker.Start(_folder, database, "victim"));
            var started = Stopwatch.StartNew();
            while (Held(database, "victim") is null && Completed(database, "victim") == 0 && !workers[0].HasExited && started.Elapsed < TimeSpan.FromMinutes(2))
                Thread.Sleep(3);
            foreach (var id in new[] { "w1", "w2", "w3" })
                workers.Add(Worker.Start(_folder, database, id));
            string? orphan = null;
            var victim = workers[0];
            for (var attempt = 1; orphan is null && attempt <= 3; attempt++)
            {
                orphan = KillWhileHolding(database, victim);
                if (orphan is null)
                {
                    // The victim finished its brick between the last look and the kill; kill another worker that is still
                    // claiming (a new worker could find the queue already drained).
                    victim = workers.FirstOrDefault(w => !w.Killed && !w.HasExited) ?? Worker.Start(_folder, database, $"victim{attempt + 1}");
                    if (!workers.Contains(victim)) workers.Add(victim);
                }
            }
            Assert.True(orphan is not null, "no worker could be killed while holding a brick");

            var survivors = workers.Where(w => !w.Killed).ToList();
            foreach (var worker in survivors)
                Assert.True(worker.WaitForExit(TimeSpan.FromMinutes(4)) == 0, worker.Describe());

            Assert.Equal(bricks.Count, Scalar(database, "SELECT COUNT(*) FROM results WHERE n IS NOT NULL AND error IS NULL"));
            Assert.Equal(bricks.Count, Scalar(database, "SELECT COUNT(DISTINCT brick_hash) FROM results"));
            Assert.Equal(1, Scalar(database, "SELECT COUNT(DISTINCT system_key || configuration_key) FROM results"));
            Assert.Equal(bricks.Count, Scalar(database, "SELECT COUNT(*) FROM claims WHERE completed_at IS NOT NULL"));

            // The brick the killed worker held was leased again and completed by a survivor.
            using (var connection = new NpgsqlConnection(database))
            {
                connection.Open();
                using var command = new NpgsqlCommand("SELECT worker_id, attempts, completed_at IS NOT NULL FROM claims WHERE brick_hash = @hash", connection);
                command.Parameters.AddWithValue("hash", orphan!);
                using var reader = command.ExecuteReader();
                Assert.True(reader.Read());
                Assert.Contains(reader.GetString(0), survivors.Select(w => w.Id));
                Assert.True(reader.GetInt32(1) >= 2, $"attempts {reader.GetInt32(1)}");
                Assert.True(reader.GetBoolean(2));
            }

            // Measured once: what the survivors report plus what the killed workers completed covers the catalog exactly.
            var bySurvivors = survivors.Sum(w => w.MeasuredCount());
            var byKilled = workers.Where(w => w.Killed).Sum(w => Completed(database, w.Id));
            Assert.Equal(bricks.Count, bySurvivors + byKilled);

            // Workers sharing the split folder keep their BenchmarkDotNet reports apart.
            var runs = Directory.GetDirectories(Path.Combine(_folder, "runs")).Select(Path.GetFileName).ToList();
            Assert.All(survivors, w => Assert.Contains(runs, r => r!.EndsWith("-" + w.Id, StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var worker in workers)
                worker.Dispose();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may hold a report file for a moment; the OS cleans temp folders.
        }
    }

    /// <summary>Kills the worker as soon as it holds a brick; returns that brick, or null on a lost race.</summary>
    private static string? KillWhileHolding(string database, Worker victim)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2) && !victim.HasExited)
        {
            var held = Held(database, victim.Id);
            if (held is not null)
            {
                victim.Kill();
                return Held(database, victim.Id);
            }
            Thread.Sleep(3);
        }
        // Finished its share between two looks: the caller tries another worker that is still claiming.
        if (victim.HasExited && Completed(database, victim.Id) > 0) return null;
        throw new InvalidOperationException($"the worker never held a brick: {victim.Describe()}");
    }

    private static string? Held(string database, string worker)
    {
        try
        {
            using var connection = new NpgsqlConnection(database);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT brick_hash FROM claims WHERE worker_id = @w AND completed_at IS NULL", connection);
            command.Parameters.AddWithValue("w", worker);
            return command.ExecuteScalar() as string;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null; // the first worker is still creating the schema
        }
    }

    private static long Completed(string database, string worker)
    {
        try
        {
            using var connection = new NpgsqlConnection(database);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT COUNT(*) FROM claims WHERE worker_id = @w AND completed_at IS NOT NULL", connection);
            command.Parameters.AddWithValue("w", worker);
            return (long)command.ExecuteScalar()!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static long Scalar(string database, string sql) => PostgresServer.Scalar(database, sql);

    [GeneratedRegex(@"(\d+) bricks: (\d+) measured")]
    private static partial Regex Summary();

    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private Worker(string id, Process process)
        {
            Id = id;
            _process = process;
        }

        public string Id { get; }

        public bool Killed { get; private set; }

        public bool HasExited => _process.HasExited;

        /// <remarks>
        /// The default job (10 + 100 iterations of ≥ 0.1 ms), not --quick: a quick brick is held for a millisecond or two, shorter
        /// than one poll of the claims table on a loaded CI machine, so the kill kept missing every hold.
        /// </remarks>
        public static Worker Start(string folder, string database, string id)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { CliProcess.CliDll, "bench", folder, "--store", database, "--worker", "--worker-id", id,
                         "--threads", "1", "--lease-seconds", LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                info.ArgumentList.Add(arg);
            var worker = new Worker(id, Process.Start(info)!);
            worker._process.OutputDataReceived += (_, e) => { lock (worker._output) worker._output.AppendLine(e.Data); };
            worker._process.ErrorDataReceived += (_, e) => { lock (worker._output) worker._output.AppendLine(e.Data); };
            worker._process.BeginOutputReadLine();
            worker._process.BeginErrorReadLine();
            return worker;
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Killed = true;
        }

        public int WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException(Describe());
            }
            _process.WaitForExit(); // flush the output events
            return _process.ExitCode;
        }

        public int MeasuredCount()
        {
            var match = Summary().Match(Output);
            Assert.True(match.Success, Describe());
            return int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        public string Describe() => $"worker {Id} (exit {(_process.HasExited ? _process.ExitCode : -1)}):\n{Output}";

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }
    }
}
