using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Families;

/// <summary>
/// Small audio and streaming models with the control flow real speech exports carry: a sample-rate switch of nested
/// <c>If</c>s on an integer input, a <c>Loop</c> whose trip count is computed from an input value, and stateful
/// LSTM/GRU cells whose state enters and leaves as graph inputs and outputs. All are tiny and run in milliseconds.
/// </summary>
public static class Audio
{
    /// <summary>
    /// audio [1, <paramref name="samples"/>] float and sample_rate [1] int64 →
    /// <c>If sr == 16000</c> (decimate by 2) <c>else If sr == 8000</c> (pass through) <c>else</c> (attenuate), then a
    /// strided Conv front end and a classifier: logits [1, 4]. The main graph reshapes the audio into frames of
    /// <c>max(sr / 8000, 1)</c> samples; the 16 kHz branch averages each frame and the 8 kHz branch squeezes the frame axis,
    /// so each branch fits only the frame shape of its own rate, and the branches return different lengths.
    /// </summary>
    public static ModelProto SampleRateSwitch(BuildSettings? settings = null, long samples = 1600)
    {
        var b = new OnnxGraphBuilder("sample_rate_switch", settings);
        var audio = b.Input("audio", DataType.Float, 1, samples);
        var rate = b.Input("sample_rate", DataType.Int64, 1);
        var factor = b.Op("Max", new[] { b.Op("Div", new[] { rate, b.Int64Scalar(8000) }), b.Int64Scalar(1) });
        var frameShape = b.Op("Concat", new[] { b.Int64Vector(1, -1), factor }, Attr.Int("axis", 0));
        var pairs = b.Op("Reshape", new[] { audio, frameShape });
        var is16k = b.Op("Equal", new[] { rate, b.Int64Scalar(16000) });

        var decimate = b.Subgraph("decimate_16k");
        decimate.Expose(decimate.Op("ReduceMean", pairs, Attr.Ints("axes", 2), Attr.Int("keepdims", 0)),
            "audio_16k_to_8k", DataType.Float, 1, samples / 2);

        var other = b.Subgraph("other_rates");
        var is8k = other.Op("Equal", new[] { rate, other.Int64Scalar(8000) });
        var passThrough = other.Subgraph("pass_8k");
        passThrough.Expose(passThrough.Op("Squeeze", new[] { pairs, passThrough.Int64Vector(2) }),
            "audio_8k", DataType.Float, 1, samples);
        var attenuate = other.Subgraph("unsupported_rate");
        attenuate.Expose(attenuate.Op("Mul", new[] { audio, attenuate.Scalar(0.5f) }),
            "audio_other", DataType.Float, 1, samples);
        var inner = other.Node("If", new[] { is8k }, 1, "/rate_8k/If",
            Attr.Graph("then_branch", passThrough.Graph), Attr.Graph("else_branch", attenuate.Graph))[0];
        other.Expose(inner, "audio_not_16k", DataType.Float, 1, "n");

        var resampled = b.Node("If", new[] { is16k }, 1, "/rate_16k/If",
            Attr.Graph("then_branch", decimate.Graph), Attr.Graph("else_branch", other.Graph))[0];

        var x = b.Op("Unsqueeze", new[] { resampled, b.Int64Vector(1) });
        x = b.Relu(Conv1d(b, x, 1, 8, kernel: 32, stride: 16, "frontend"));
        x = b.Relu(Conv1d(b, x, 8, 16, kernel: 3, stride: 1, "conv"));
        x = b.Op("ReduceMean", x, Attr.Ints("axes", 2), Attr.Int("keepdims", 0));
        b.Expose(b.Gemm(x, 16, 4), "logits", DataType.Float, 1, 4);
        return b.Build();
    }

    /// <summary>
    /// audio [1, <paramref name="samples"/>] float and length [1] int64 (valid samples) → a <c>Loop</c> over
    /// ceil(length / hop) frames whose body slices a window from the padded audio (read from the outer scope) and updates a
    /// tanh recurrent state; the final state and the mean of the per-frame states feed a classifier: logits [1, 4].
    /// The trip count depends on the value of <c>length</c>, not on any shape.
    /// </summary>
    public static ModelProto FrameLoop(BuildSettings? settings = null, long samples = 1024, long hop = 128, long window = 256, long hidden = 32)
    {
        var b = new OnnxGraphBuilder("frame_loop", settings);
        var audio = b.Input("audio", DataType.Float, 1, samples);
        var length = b.Input("length", DataType.Int64, 1);
        var frames = b.Op("Div", new[] { b.Op("Add", new[] { length, b.Int64Scalar(hop - 1) }), b.Int64Scalar(hop) });
        var tripCount = b.Op("Squeeze", new[] { frames, b.Int64Vector(0) });
        var padded = b.Op("Pad", new[] { audio, b.Int64Vector(0, 0, 0, window) });
        var inputWeight = b.Weight("frame_proj.weight", 1f / MathF.Sqrt(window), window, hidden);
        var stateWeight = b.Weight("state_proj.weight", 0.5f / MathF.Sqrt(hidden), hidden, hidden);
        var bias = b.Weight("state_proj.bias", 0.1f, hidden);
        var initial = b.Filled("initial_state", 0f, 1, hidden);

        var body = b.Subgraph("frame_body");
        var iteration = body.Input("frame_index", DataType.Int64);
        var condIn = body.Input("cond_in", DataType.Bool);
        var state = body.Input("state_in", DataType.Float, 1, hidden);
        body.Expose(body.Op("Identity", condIn), "cond_out", DataType.Bool);
        var start = body.Op("Unsqueeze", new[] { body.Op("Mul", new[] { iteration, body.Int64Scalar(hop) }), body.Int64Vector(0) });
        var end = body.Op("Add", new[] { start, body.Int64Vector(window) });
        var frame = body.Op("Slice", new[] { padded, start, end, body.Int64Vector(1) });
        var mixed = body.Op("Add", new[] { body.Op("MatMul", new[] { frame, inputWeight }), body.Op("MatMul", new[] { state, stateWeight }) });
        var next = body.Op("Tanh", body.Op("Add", new[] { mixed, bias }));
        next = body.Expose(next, "state_out", DataType.Float, 1, hidden);
        body.Expose(body.Op("Identity", next), "frame_state", DataType.Float, 1, hidden);

        var outputs = b.Node("Loop", new[] { tripCount, "", initial }, 2, "/frames/Loop", Attr.Graph("body", body.Graph));
        var summary = b.Op("Add", new[] { outputs[0], b.Op("ReduceMean", outputs[1], Attr.Ints("axes", 0), Attr.Int("keepdims", 0)) });
        b.Expose(b.Gemm(summary, hidden, 4), "logits", DataType.Float, 1, 4);
        return b.Build();
    }

    /// <summary>
    /// One streaming step of a recurrent keyword spotter: features [<paramref name="steps"/>, 1, <paramref name="features"/>]
    /// plus the carried state (h, and c for an LSTM) [1, 1, hidden] → an LSTM or GRU cell (PyTorch layout) and a per-step
    /// classifier: logits [steps, 1, 4], and the next state as outputs (<c>h_n</c>, <c>c_n</c>).
    /// </summary>
    /// <param name="settings">Build settings.</param>
    /// <param name="cell"><c>lstm</c> or <c>gru</c>.</param>
    /// <param name="steps">Frames per streaming chunk.</param>
    /// <param name="features">Features per frame.</param>
    /// <param name="hidden">State size.</param>
    public static ModelProto StatefulRnn(BuildSettings? settings = null, string cell = "lstm", long steps = 20, long features = 40, long hidden = 64)
    {
        var lstm = cell switch
        {
            "lstm" => true,
            "gru" => false,
            _ => throw new ArgumentException($"unknown recurrent cell '{cell}' (known: lstm, gru)", nameof(cell)),
        };
        var gates = lstm ? 4 : 3;
        var b = new OnnxGraphBuilder($"{cell}_stream", settings);
        var x = b.Input("features", DataType.Float, steps, 1, features);
        var h0 = b.Input("h_0", DataType.Float, 1, 1, hidden);
        var c0 = lstm ? b.Input("c_0", DataType.Float, 1, 1, hidden) : "";
        var bound = 1f / MathF.Sqrt(hidden);
        var w = b.Weight($"{cell}.weight_ih", bound, 1, gates * hidden, features);
        var r = b.Weight($"{cell}.weight_hh", bound, 1, gates * hidden, hidden);
        var bias = b.Weight($"{cell}.bias", bound, 1, 2 * gates * hidden);

        var inputs = lstm ? new[] { x, w, r, bias, "", h0, c0 } : new[] { x, w, r, bias, "", h0 };
        var outputs = lstm ? new[] { "rnn_y", "h_n", "c_n" } : new[] { "rnn_y", "h_n" };
        var attributes = lstm
            ? new[] { Attr.Int("hidden_size", hidden) }
            : new[] { Attr.Int("hidden_size", hidden), Attr.Int("linear_before_reset", 1) };
        var node = b.NamedNode(lstm ? "LSTM" : "GRU", $"/{cell}/{(lstm ? "LSTM" : "GRU")}", inputs, outputs, attributes);

        var y = b.Op("Squeeze", new[] { node.Output[0], b.Int64Vector(1) });
        var logits = b.Op("Add", new[] { b.Op("MatMul", new[] { y, b.Weight("classifier.weight", bound, hidden, 4) }), b.Weight("classifier.bias", 0.1f, 4) });
        b.Expose(logits, "logits", DataType.Float, steps, 1, 4);
        b.Output(node.Output[1], DataType.Float, 1, 1, hidden);
        if (lstm) b.Output(node.Output[2], DataType.Float, 1, 1, hidden);
        return b.Build();
    }

    private static string Conv1d(OnnxGraphBuilder b, string x, long inChannels, long outChannels, long kernel, long stride, string name)
    {
        var weight = b.Weight($"{name}.weight", 1f / MathF.Sqrt(inChannels * kernel), outChannels, inChannels, kernel);
        var bias = b.Weight($"{name}.bias", 0.1f, outChannels);
        return b.Op("Conv", new[] { x, weight, bias }, Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", stride));
    }
}
