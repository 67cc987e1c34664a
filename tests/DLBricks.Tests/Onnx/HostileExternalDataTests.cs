using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Onnx;

public class HostileExternalDataTests
{
    [Theory]
    [InlineData("-8", "1024", "negative")]
    [InlineData("99999999999999999999", "1024", "offset")]
    [InlineData("0", "99999999999999999999", "length")]
    [InlineData("lots", "1024", "offset 'lots'")]
    [InlineData("0", "1kB", "length '1kB'")]
    [InlineData("0", "-7", "length -7")]
    [InlineData("9223372036854775000", "1024", "out of range")]
    [InlineData("1024", "1024", "truncated")]
    public void HostileOffsetsAndLengthsAreOneLineErrorsNamingTheTensor(string offset, string length, string expected)
    {
        using var temp = new TempFolder();
        var path = ModelFiles.ExternalModel(temp.Path, offset, length);
        var e = Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ASymlinkLeavingTheModelFolderIsRefusedLikeDotDot()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs privileges there
        using var temp = new TempFolder();
        using var outside = new TempFolder();
        var folder = Path.Combine(temp.Path, "model");
        Directory.CreateDirectory(folder);
        var path = ModelFiles.ExternalModel(folder, "0", "1024", writeData: false);
        File.WriteAllBytes(outside.File("secret.bin"), new byte[1024]);
        File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), outside.File("secret.bin"));

        var e = Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path));
        Assert.Contains("leaves the model folder", e.Message);

        // A link through a folder is caught too.
        var viaFolder = Path.Combine(temp.Path, "model2");
        Directory.CreateDirectory(viaFolder);
        var path2 = ModelFiles.ExternalModel(viaFolder, "0", "1024", location: "data/secret.bin", writeData: false);
        Directory.CreateSymbolicLink(Path.Combine(viaFolder, "data"), outside.Path);
        Assert.Contains("leaves the model folder", Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path2)).Message);
    }

    [Fact]
    public void ASymlinkInsideTheModelFolderIsFine()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        var path = ModelFiles.ExternalModel(temp.Path, "0", "1024");
        File.Move(temp.File("weights.bin"), temp.File("real.bin"));
        File.CreateSymbolicLink(temp.File("weights.bin"), "real.bin");
        var model = OnnxModel.Load(path);
        Assert.Equal(1024, ExternalData.ReadBytes(model, model.Proto.Graph.Initializer[0]).Length);
    }
}
