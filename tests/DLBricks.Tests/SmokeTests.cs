namespace DLBricks.Tests;

public class SmokeTests
{
    [Fact]
    public void ProtoTypesRoundTrip()
    {
        var m = new DLBricks.Onnx.Protos.ModelProto { IrVersion = 7 };
        var back = DLBricks.Onnx.Protos.ModelProto.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(m));
        Assert.Equal(7, back.IrVersion);
    }
}
