using System.Text;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Tests.Checkpoints;

/// <summary>
/// A safetensors header is checked completely before any tensor is read, and config.json against the tensor shapes
/// before any model is built: hostile or mismatched files are refused with one line naming the file and the key.
/// </summary>
public class SafeTensorsHeaderTests
{
    public SafeTensorsHeaderTests() => TorchThreads.EnsureConfigured();

    /// <summary>Writes [header length][header JSON][data] as a safetensors file.</summary>
    private static string Write(TempFolder temp, string headerJson, long dataBytes, ulong? headerLength = null)
    {
        var path = temp.Sub($"{Guid.NewGuid():N}.safetensors");
        var header = Encoding.UTF8.GetBytes(headerJson);
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes(headerLength ?? (ulong)header.Length));
        file.Write(header);
        file.SetLength(file.Length + dataBytes);   // zeros
        return path;
    }

    private static string Entry(string name, long elements, long begin) =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{elements}],\"data_offsets\":[{begin},{begin + 4 * elements}]}}";

    [Fact]
    public void Forty_entries_pointing_at_the_same_10_MB_are_refused_before_any_tensor_is_read()
    {
        using var temp = new TempFolder();
        const long elements = 10 * 1024 * 1024 / 4;
        var path = Write(temp, "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => Entry($"t{i:00}", elements, 0))) + "}", 4 * elements);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"{path}: t01 has data_offsets [0, 10485760] overlapping t00 [0, 10485760]", e.Message);
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated; reading even one tensor takes 10,485,760");
    }

    [Theory]
    [InlineData("overlap", "{A,B}", 12, "b has data_offsets [4, 12] overlapping a [0, 8]")]
    [InlineData("past the end", "{C}", 8, "c has data_offsets [0, 16] outside the data (8 bytes)")]
    [InlineData("negative", "{\"n\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "n has data_offsets [-8, 0] outside the data (8 bytes)")]
    [InlineData("gap", "{A,D}", 20, "d has data_offsets [12, 20], leaving bytes 8..12 of the data unused")]
    [InlineData("data not covered", "{A}", 16, "the tensors cover 8 bytes of the data but the file holds 16")]
    [InlineData("size not shape", "{\"s\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "s has data_offsets [0, 8] (8 bytes) but shape [3] of F32 needs 12 bytes")]
    [InlineData("huge shape", "{\"h\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, "h has a shape too large: [4611686018427387904, 4]")]
    [InlineData("duplicate key", "{A,\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "a appears twice in the safetensors header")]
    public void Bad_offsets_and_sizes_are_refused_naming_the_key(string name, string header, long dataBytes, string expected)
    {
        using var temp = new TempFolder();
        var json = header.Replace("A", Entry("a", 2, 0)).Replace("B", Entry("b", 2, 4)).Replace("C", Entry("c", 4, 0)).Replace("D", Entry("d", 2, 12));
        var path = Write(temp, json, dataBytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensorsHeader.Read(path));
        Assert.Equal($"{path}: {expected}", e.Message);
        Assert.Equal(e.Message, Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path)).Message);
        Assert.NotEmpty(name);
    }

    [Fact]
    public void A_header_length_larger_than_the_file_or_100_MB_is_refused()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "{}", 0, headerLength: 1UL << 40);
        Assert.Equal($"{path}: is not a safetensors file (header length 1099511627776 for a file of 10 bytes)",
            Assert.Throws<CheckpointException>(() => SafeTensorsHeader.Read(path)).Message);
    }

    [Fact]
    public void A_well_formed_header_lists_the_tensors_in_data_order()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "{\"__metadata__\":{\"format\":\"pt\"}," + Entry("z", 2, 0) + "," + Entry("e", 0, 8) + "," + Entry("a", 1, 8) + "}", 12);
        var header = SafeTensorsHeader.Read(path);
        Assert.Equal(["z", "e", "a"], header.Entries.Select(e => e.Name));
        Assert.Equal((12L, "pt"), (header.DataLength, header.Metadata["format"]));
        Assert.Equal([0f, 0f], SafeTensorsFile.Read(path).Tensors["z"].Data);
    }

    [Fact]
    public void The_layout_names_every_parameter_of_the_models_with_its_on_disk_shape()
    {
        var config = new Gpt2Config { VocabSize = 11, NPositions = 7, NEmbd = 6, NLayer = 2, NHead = 2, NInner = 10 };
        using var lm = new Gpt2LMHeadModel(config);
        using var reward = new Gpt2ForSequenceClassification(config);
        static IEnumerable<(string, long[])> OnDisk(TorchSharp.torch.nn.Module m) => m.named_parameters()
            .Select(p => (p.name, Gpt2Checkpoint.IsConv1DWeight(p.name) ? p.parameter.shape.Reverse().ToArray() : p.parameter.shape));
        Assert.Equal(OnDisk(lm).Select(Format), Gpt2CheckpointLayout.OnDiskShapes(config, withScore: false).Select(Format));
        Assert.Equal(OnDisk(reward).Select(Format).Order(), Gpt2CheckpointLayout.OnDiskShapes(config, withScore: true).Select(Format).Order());
    }

    private static string Format((string Name, long[] Shape) p) => $"{p.Name} {SafeTensor.FormatShape(p.Shape)}";

    [Fact]
    public void A_config_whose_sizes_disagree_with_the_tensors_is_refused_before_the_model_is_built()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyOf(FixturePaths.Lm);
        var weights = Path.Combine(folder, Gpt2Checkpoint.WeightsFileName);
        SetConfig(folder, n_embd: 4096, n_head: 32);
        var e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{weights}: transformer.wte.weight has shape [50257, 16], expected [50257, 4096] (config.json: n_embd 4096, n_layer 2, vocab_size 50257, n_positions 64)", e.Message);

        // A model of this config would need 50257 × 2^28 floats for wte alone (54 TB): refused all the same, so it was never built.
        SetConfig(folder, n_embd: 1 << 28, n_head: 32);
        e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadRewardModel(folder, initScoreIfMissing: true));
        Assert.StartsWith($"{weights}: transformer.wte.weight has shape [50257, 16], expected [50257, 268435456]", e.Message);

        SetConfig(folder, n_embd: 16, n_head: 2, n_layer: 3);
        e = Assert.Throws<CheckpointException>(() => Gpt2Checkpoint.LoadLanguageModel(folder));
        Assert.Equal($"{weights}: transformer.h.2.ln_1.weight is missing", e.Message);
    }

    private static void SetConfig(string folder, int n_embd, int n_head, int n_layer = 2)
    {
        var path = Path.Combine(folder, Gpt2Checkpoint.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["n_embd"] = n_embd;
        config["n_head"] = n_head;
        config["n_layer"] = n_layer;
        File.WriteAllText(path, config.ToJsonString());
    }
}
