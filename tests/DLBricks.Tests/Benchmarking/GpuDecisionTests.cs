using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Splitting;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Tests.Benchmarking;

/// <summary>The decisions that make GPU measurements right, checked without a GPU.</summary>
public sealed class GpuDecisionTests : IDisposable
{
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
    private static readonly RunConfiguration Cuda = Cpu with { ExecutionProvider = "cuda", DeviceId = 1 };
    private readonly BrickFolderBuilder _bricks = new();

    // Output captured from nvidia-smi 550 on a two-GPU machine (names contain spaces and digits).
    private const string QueryOutput = """
        NVIDIA A100-SXM4-80GB, 81920 MiB, 550.54.15
        NVIDIA GeForce RTX 4090, 24564 MiB, 550.54.15

        """;

    private const string Banner = """
        Tue Mar 12 10:11:12 2024
        +-----------------------------------------------------------------------------------------+
        | NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
        |-----------------------------------------+------------------------+----------------------+
        """;

    [Fact]
    public void NvidiaSmiQueryLinesBecomeDevices()
    {
        var devices = GpuDetector.ParseQuery(QueryOutput);
        Assert.Equal(
            [new GpuDevice("NVIDIA A100-SXM4-80GB", 81920, "550.54.15"), new GpuDevice("NVIDIA GeForce RTX 4090", 24564, "550.54.15")],
            devices);
    }

    [Theory]
    [InlineData("")]
    [InlineData("No devices were found")]
    [InlineData("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")]
    [InlineData("Tesla T4, [N/A], 535.104.05")]
    public void OutputWithoutDeviceLinesGivesNoDevices(string output) => Assert.Empty(GpuDetector.ParseQuery(output));

    [Fact]
    public void CudaVersionComesFromTheBanner()
    {
        Assert.Equal("12.4", GpuDetector.ParseCudaVersion(Banner));
        Assert.Null(GpuDetector.ParseCudaVersion("| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15 |"));
    }

    [Fact]
    public void DescriptionNamesEveryGpuMemoryDriverAndCuda()
    {
        var text = GpuDetector.Describe(GpuDetector.ParseQuery(QueryOutput), GpuDetector.ParseCudaVersion(Banner));
        Assert.Equal("NVIDIA A100-SXM4-80GB 81920 MiB + NVIDIA GeForce RTX 4090 24564 MiB; driver 550.54.15; CUDA 12.4", text);
        Assert.Null(GpuDetector.Describe([], "12.4"));
    }

    [Fact]
    public void DifferentGpusGiveDifferentSystemsWhileCpuFingerprintsKeepTheirKey()
    {
        var cpu = new SystemFingerprint("Intel Xeon", 2, 8L << 30, "Linux", ".NET 10.0.0", "1.31.1");
        // The key a CPU-only machine had before GPUs were part of the fingerprint.
        Assert.Equal(StoreKeys.Of("Intel Xeon", "2", (8L << 30).ToString(), "Linux", ".NET 10.0.0", "1.31.1"), cpu.Key);

        var a100 = cpu with { Gpu = "NVIDIA A100-SXM4-80GB 81920 MiB; driver 550.54.15; CUDA 12.4" };
        var rtx = cpu with { Gpu = "NVIDIA GeForce RTX 4090 24564 MiB; driver 550.54.15; CUDA 12.4" };
        Assert.NotEqual(cpu.Key, a100.Key);
        Assert.NotEqual(a100.Key, rtx.Key);
    }

    [Fact]
    public void OnlyGpuProvidersPutTheGpuInTheFingerprint()
    {
        Assert.False(SystemFingerprintDetector.UsesGpu("cpu"));
        Assert.True(SystemFingerprintDetector.UsesGpu("cuda"));
        Assert.Null(SystemFingerprintDetector.Detect("cpu").Gpu);
    }

    [Fact]
    public void GpuSurvivesTheResultStore()
    {
        var system = new SystemFingerprint("Intel Xeon", 2, 8L << 30, "Linux", ".NET 10.0.0", "1.31.1") { Gpu = "NVIDIA L4 23034 MiB; driver 550.54.15; CUDA 12.4" };
        using (var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "gpu.db")))
        {
            store.RegisterSystem(system);
            store.RegisterConfiguration(Cuda);
            store.Save(new BrickResult(new string('a', 64), system.Key, Cuda.Key, null, "failed", DateTimeOffset.UtcNow));
            var (listed, _) = Assert.Single(store.ListSystems());
            Assert.Equal(system, listed);
            Assert.Equal(system.Key, listed.Key);
            Assert.Equal(system, Assert.Single(store.Export().Systems));
        }
    }

    [Fact]
    public void CudaBindsDeviceMemoryOfTheConfiguredDeviceAndCpuBindsHostMemory()
    {
        Assert.Equal(TensorPlacement.Host, TensorBinding.PlacementFor(Cpu));
        Assert.Null(TensorBinding.DeviceMemoryFor(Cpu));

        Assert.Equal(TensorPlacement.CudaDevice, TensorBinding.PlacementFor(Cuda));
        using var memory = TensorBinding.DeviceMemoryFor(Cuda);
        Assert.NotNull(memory);
        Assert.Equal("Cuda", memory.Name);
        Assert.Equal(1, memory.Id);
        Assert.Equal(OrtAllocatorType.DeviceAllocator, memory.GetAllocatorType());
    }

    [Fact]
    public void UploadCopiesEveryInputIntoTheTargetMemory()
    {
        // On the CPU provider the upload session copies host to host: the same path the CUDA provider takes to the device.
        BrickTensor[] specs = [new("a", "float", [2, 3]), new("b", "int64", [4], Values: [3, 1, 4, 1])];
        var random = new Random(7);
        var host = specs.Select(s => SyntheticInputs.Create(s, random)).ToList();
        try
        {
            using var upload = new DeviceUpload(Cpu, OrtMemoryInfo.DefaultInstance, specs, host);
            Assert.Equal(host[0].GetTensorDataAsSpan<float>().ToArray(), upload.DeviceValues[0].GetTensorDataAsSpan<float>().ToArray());
            Assert.Equal([3L, 1, 4, 1], upload.DeviceValues[1].GetTensorDataAsSpan<long>().ToArray());
            Assert.Equal([2L, 3], upload.DeviceValues[0].GetTensorTypeAndShape().Shape);
        }
        finally
        {
            foreach (var value in host) value.Dispose();
        }
    }

    [Fact]
    public void LayerSourceRecordsItsProviderInTheCatalog()
    {
        var info = (LayerSourceOptions.Default with { Provider = "cuda" }).ToInfo();
        Assert.Equal("cuda", info.Provider);
        var json = JsonSerializer.Serialize(new BrickCatalog(BrickCatalog.CurrentFormatVersion, info, []), CatalogJson.Options);
        Assert.Contains("\"provider\": \"cuda\"", json);
        // The raw graph suits every provider, so it names none.
        Assert.Null(LayerSourceOptions.Raw.ToInfo().Provider);
    }

    [Fact]
    public void CatalogsWithoutAProviderAreCpuCatalogs()
    {
        var path = Path.Combine(_bricks.Folder, BrickCatalog.FileName);
        File.WriteAllText(path, """{ "format_version": 1, "source": { "kind": "optimized", "level": "all" }, "bricks": [] }""");
        var source = BrickCatalog.Load(_bricks.Folder).Source;
        Assert.Equal("cpu", source.Provider);
        Assert.Null(source.MismatchWith("cpu"));
        Assert.NotNull(source.MismatchWith("cuda"));
    }

    [Fact]
    public void MismatchNamesBothProvidersAndTheFix()
    {
        var cpuSource = new LayerSourceInfo("optimized", "all") { Provider = "cpu" };
        var error = cpuSource.MismatchWith("cuda");
        Assert.NotNull(error);
        Assert.Contains("for the cpu provider, not for cuda", error);
        Assert.Contains("split the models again with --ep cuda", error);
        Assert.DoesNotContain('\n', error);
        Assert.Null(LayerSourceInfo.Raw.MismatchWith("cuda"));
        Assert.Null((cpuSource with { Provider = "cuda" }).MismatchWith("cuda"));
    }

    [Fact]
    public void BenchRefusesACatalogOptimizedForAnotherProviderBeforeWriting()
    {
        _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        var catalog = BrickCatalog.Load(folder) with { Source = new LayerSourceInfo("optimized", "all") { Provider = "cuda" } };
        File.WriteAllText(Path.Combine(folder, BrickCatalog.FileName), JsonSerializer.Serialize(catalog, CatalogJson.Options));

        using var store = new SqliteResultStore(Path.Combine(folder, "results.db"));
        var error = Assert.Throws<InvalidDataException>(() => new BrickBenchmarkRunner(store, Cpu, BenchmarkJob.Quick).Run(folder));
        Assert.StartsWith(Path.Combine(folder, BrickCatalog.FileName), error.Message);
        Assert.Contains("--ep cpu", error.Message);
        Assert.Empty(store.ListSystems());
    }

    [Fact]
    public void OptimizingForCudaWithoutTheGpuBuildIsRefusedNamingTheFix()
    {
        using var temp = new TempFolder();
        var model = new TinyModel().Input("x", 1, 4).Output("y");
        model.Node("Relu", ["x"], ["y"]);
        var path = model.Save(temp.Path, "relu");

        var error = Assert.Throws<InvalidModelException>(() => RuntimeOptimizer.Optimize(OnnxModel.Load(path), OptimizationLevel.All, "cuda"));
        Assert.StartsWith(path, error.Message);
        Assert.Contains("-p:DLBricksGpu=true", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    public void Dispose() => _bricks.Dispose();
}
