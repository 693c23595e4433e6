using Rlhf.Jobs.Generation;

namespace Rlhf.Jobs.Tests.Generation;

public class ResponsePairingTests
{
    [Fact]
    public void One_model_gives_every_pair_of_distinct_texts()
    {
        var pairs = ResponsePairing.Pairs([[(1, "a"), (2, "b"), (3, "a "), (4, "c")]]);
        Assert.Equal([(1L, 2L), (1L, 4L), (2L, 4L)], pairs);
    }

    [Fact]
    public void Two_models_pair_across_cycling_the_shorter_list_and_skip_identical_texts()
    {
        var pairs = ResponsePairing.Pairs([[(1, "a"), (2, "b"), (3, "c")], [(10, "x"), (11, "b")]]);
        Assert.Equal([(1L, 10L), (3L, 10L)], pairs); // (2, 11) is "b" vs "b"
    }

    [Fact]
    public void Nothing_to_pair_gives_no_pairs()
    {
        Assert.Empty(ResponsePairing.Pairs([[(1, "only")]]));
        Assert.Empty(ResponsePairing.Pairs([[(1, "a")], []]));
    }
}
