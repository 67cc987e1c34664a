using System.Text;
using DLBricks.Onnx.Protos;

namespace DLBricks.Tests.Export;

public class PrivacyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void BricksRevealNoNameNoWeightBytesAndNoRecipe(int g)
    {
        using var temp = new TempFolder();
        var m = new TinyModel(seed: 42).Input("SecretAcme_input", 1, 3, 16, 16);
        var weights = new List<byte[]>
        {
            m.Weight("SecretAcme_conv1_weight", 8, 3, 3, 3),
            m.Weight("SecretAcme_conv1_bias", 8),
            m.Weight("SecretAcme_conv2_weight", 8, 8, 3, 3),
            m.Weight("SecretAcme_fc_weight", 10, 8 * 16 * 16),
        };
        m.Node("Conv", ["SecretAcme_input", "SecretAcme_conv1_weight", "SecretAcme_conv1_bias"], ["SecretAcme_act1"], "SecretAcme_conv1",
            TinyModel.IntsAttr("pads", 1, 1, 1, 1), TinyModel.IntsAttr("kernel_shape", 3, 3)).DocString = "SecretAcme doc";
        m.Node("Relu", ["SecretAcme_act1"], ["SecretAcme_relu1"], "SecretAcme_relu1");
        m.Node("Conv", ["SecretAcme_relu1", "SecretAcme_conv2_weight"], ["SecretAcme_act2"], "SecretAcme_conv2",
            TinyModel.IntsAttr("pads", 1, 1, 1, 1), TinyModel.IntsAttr("kernel_shape", 3, 3));
        m.Node("Flatten", ["SecretAcme_act2"], ["SecretAcme_flat"], "SecretAcme_flatten");
        m.Node("Gemm", ["SecretAcme_flat", "SecretAcme_fc_weight"], ["SecretAcme_logits"], "SecretAcme_fc", TinyModel.IntAttr("transB", 1));
        m.Output("SecretAcme_logits");
        var model = m.Build();
        model.DocString = "SecretAcme model";
        model.ProducerName = "SecretAcme exporter";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "SecretAcme_key", Value = "SecretAcme_value" });
        var path = m.Save(temp.Path, "SecretAcme_model");
        var output = temp.File("out");

        DLBricks.SplitRunner.Run([path], new DLBricks.SplitOptions { Granularity = g }, output);

        var brickFiles = Directory.GetFiles(Path.Combine(output, "bricks"));
        Assert.NotEmpty(brickFiles);
        Assert.All(brickFiles, f => Assert.EndsWith(".onnx", f));
        var windows = new HashSet<string>();
        foreach (var w in weights)
            for (var i = 0; i + 64 <= w.Length; i++)
                windows.Add(Convert.ToBase64String(w, i, 64));
        foreach (var file in brickFiles.Append(Path.Combine(output, "catalog.json")))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.DoesNotContain("SecretAcme", Encoding.Latin1.GetString(bytes));
            for (var i = 0; i + 64 <= bytes.Length; i++)
                Assert.False(windows.Contains(Convert.ToBase64String(bytes, i, 64)), $"{Path.GetFileName(file)} holds original weight bytes at offset {i}");
        }
        // The recipe (topology, model name) lives only in recipes/.
        Assert.True(File.Exists(Path.Combine(output, "recipes", "SecretAcme_model.json")));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(output, "bricks"), "*", SearchOption.AllDirectories), f => f.EndsWith(".json"));
    }
}
