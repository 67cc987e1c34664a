using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Cli;
using DLBricks.Cli.Commands;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Tests.Estimation;

/// <summary>An in-memory <see cref="IResultStore"/> for command tests.</summary>
internal sealed class MemoryResultStore : IResultStore
{
    private readonly Dictionary<string, SystemFingerprint> _systems = [];
    private readonly Dictionary<string, RunConfiguration> _configurations = [];
    private readonly Dictionary<(string, string, string), BrickResult> _results = [];
    private readonly Dictionary<(string, string), LatencyStatistics> _calibrations = [];

    public static SystemFingerprint System { get; } = new("Test CPU", 2, 1L << 30, "Linux", "10.0", "1.31.1");
    public static RunConfiguration Configuration { get; } = new("cpu", null, 1, 1, "sequential", "all", "quick");

    public void RegisterSystem(SystemFingerprint system) => _systems[system.Key] = system;
    public void RegisterConfiguration(RunConfiguration configuration) => _configurations[configuration.Key] = configuration;
    public bool HasResult(string brickHash, string systemKey, string configurationKey) => _results.ContainsKey((brickHash, systemKey, configurationKey));
    public void Save(BrickResult result) => _results[(result.BrickHash, result.SystemKey, result.ConfigurationKey)] = result;

    public IReadOnlyDictionary<string, BrickResult> GetResults(string systemKey, string configurationKey) =>
        _results.Values.Where(r => r.SystemKey == systemKey && r.ConfigurationKey == configurationKey).ToDictionary(r => r.BrickHash);

    public IReadOnlyList<(SystemFingerprint System, RunConfiguration Configuration)> ListSystems() =>
        _results.Values.Select(r => (r.SystemKey, r.ConfigurationKey)).Distinct().Select(k => (_systems[k.SystemKey], _configurations[k.ConfigurationKey])).ToList();

    public void SaveCalibration(string systemKey, string configurationKey, LatencyStatistics overhead) => _calibrations[(systemKey, configurationKey)] = overhead;
    public LatencyStatistics? GetCalibration(string systemKey, string configurationKey) => _calibrations.GetValueOrDefault((systemKey, configurationKey));
    public void Dispose() { }

    public void Add(string hash, double ms) =>
        Save(new BrickResult(hash, System.Key, Configuration.Key, EstimatorTests.Stats(ms), null, DateTimeOffset.UnixEpoch));
}

public class EstimateCommandTests
{
    private static (string Folder, MemoryResultStore Store) Setup()
    {
        var folder = TempFolder.CreateUntilExit("dlbricks-estimate-");
        Directory.CreateDirectory(Path.Combine(folder, ModelRecipe.FolderName));
        File.WriteAllText(Path.Combine(folder, ModelRecipe.FolderName, "diamond.json"),
            JsonSerializer.Serialize(EstimatorTests.Diamond(), CatalogJson.Options));
        var store = new MemoryResultStore();
        store.RegisterSystem(MemoryResultStore.System);
        store.RegisterConfiguration(MemoryResultStore.Configuration);
        return (folder, store);
    }

    private static int Invoke(MemoryResultStore store, params string[] args) =>
        EstimateCommand.Create((_, _) => store).Parse(args).Invoke();

    [Fact]
    public void CompleteEstimateSucceedsAndWritesJson()
    {
        var (folder, store) = Setup();
        store.Add("stem", 1); store.Add("wide", 5); store.Add("thin", 2);
        var json = Path.Combine(folder, "estimate.json");

        Assert.Equal(ExitCodes.Success, Invoke(store, folder, "--db", "results.db", "--json", json));

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var estimates = document.RootElement.GetProperty("models")[0].GetProperty("estimates").EnumerateArray().ToList();
        Assert.Equal(9.0, estimates.Single(e => e.GetProperty("mode").GetString() == "sequential").GetProperty("estimate_ms").GetDouble(), 9);
        Assert.Equal(7.0, estimates.Single(e => e.GetProperty("mode").GetString() == "critical_path").GetProperty("estimate_ms").GetDouble(), 9);
    }

    [Fact]
    public void MissingBricksGiveExitCodeOneAndAreListed()
    {
        var (folder, store) = Setup();
        store.Add("stem", 1);
        var json = Path.Combine(folder, "estimate.json");

        Assert.Equal(ExitCodes.PartialFailure, Invoke(store, Path.Combine(folder, ModelRecipe.FolderName, "diamond.json"), "--db", "r.db", "--mode", "sequential", "--json", json));

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var sequential = Assert.Single(document.RootElement.GetProperty("models")[0].GetProperty("estimates").EnumerateArray());
        Assert.Equal(["thin", "wide"], sequential.GetProperty("missing").EnumerateArray().Select(m => m.GetProperty("hash").GetString()).Order());
    }

    [Fact]
    public void FixedCostWithoutCalibrationAndBadRecipesAreInputErrors()
    {
        var (folder, store) = Setup();
        store.Add("stem", 1); store.Add("wide", 5); store.Add("thin", 2);
        Assert.Equal(ExitCodes.InvalidInput, Invoke(store, folder, "--db", "r.db", "--fixed-cost"));

        store.SaveCalibration(MemoryResultStore.System.Key, MemoryResultStore.Configuration.Key, EstimatorTests.Stats(0.5));
        var json = Path.Combine(folder, "corrected.json");
        Assert.Equal(ExitCodes.Success, Invoke(store, folder, "--db", "r.db", "--fixed-cost", "--mode", "sequential", "--json", json));
        using (var document = JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal(9.0 - 3 * 0.5, document.RootElement.GetProperty("models")[0].GetProperty("estimates")[0].GetProperty("estimate_ms").GetDouble(), 9);

        File.WriteAllText(Path.Combine(folder, "broken.json"), "{ not json");
        Assert.Equal(ExitCodes.InvalidInput, Invoke(store, Path.Combine(folder, "broken.json"), "--db", "r.db"));
        Assert.Equal(ExitCodes.InvalidInput, Invoke(store, Path.Combine(folder, "absent.json"), "--db", "r.db"));
    }
}
