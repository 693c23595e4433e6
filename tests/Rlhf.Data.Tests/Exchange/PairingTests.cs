using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Exchange;

namespace Rlhf.Data.Tests.Exchange;

public class PairingTests
{
    private static readonly string FourCandidates = ExchangeFixture.Jsonl(
        new { prompt = "p1", responses = new[] { "a", "b", "c", "d" } },
        new { prompt = "p2", responses = new[] { "e", "f", "g", "h" } });

    [Theory]
    [InlineData(PairingMode.All, 1, 12)]
    [InlineData(PairingMode.Adjacent, 1, 6)]
    [InlineData(PairingMode.Random, 2, 4)]
    [InlineData(PairingMode.Random, 50, 12)] // capped at all pairs
    public async Task Pairing_modes_give_the_expected_number_of_comparisons(PairingMode mode, int pairs, int expected)
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(FourCandidates, options: new ImportOptions { Pairing = mode, PairsPerPrompt = pairs, Seed = 5 });
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal(expected, report.Comparisons);
        await using var db = await f.DbAsync();
        Assert.Equal(expected, await db.Comparisons.CountAsync());
        var responses = await db.Responses.ToDictionaryAsync(r => r.Id);
        Assert.All(await db.Comparisons.ToListAsync(), c =>
        {
            Assert.Equal(c.PromptId, responses[c.ResponseAId].PromptId);
            Assert.Equal(c.PromptId, responses[c.ResponseBId].PromptId);
            Assert.True(c.ResponseAId < c.ResponseBId);
        });
    }

    [Fact]
    public async Task Adjacent_pairs_are_neighbours_in_file_order()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(FourCandidates, options: new ImportOptions { Pairing = PairingMode.Adjacent });
        Assert.Equal(["a-b", "b-c", "c-d", "e-f", "f-g", "g-h"], await PairTextsAsync(f, f.ProjectId));
    }

    [Fact]
    public async Task Random_pairs_depend_on_the_seed_only()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var many = ExchangeFixture.Jsonl(Enumerable.Range(0, 20).Select(i => (object)new { prompt = $"p{i}", responses = new[] { "a", "b", "c", "d", "e" } }).ToArray());
        var second = await f.AnotherProjectAsync();
        var third = await f.AnotherProjectAsync();
        await f.ImportAsync(many, options: new ImportOptions { Pairing = PairingMode.Random, PairsPerPrompt = 3, Seed = 11 });
        await f.ImportAsync(many, options: new ImportOptions { Pairing = PairingMode.Random, PairsPerPrompt = 3, Seed = 11 }, project: second);
        await f.ImportAsync(many, options: new ImportOptions { Pairing = PairingMode.Random, PairsPerPrompt = 3, Seed = 12 }, project: third);
        var first = await PairTextsAsync(f, f.ProjectId);
        Assert.Equal(60, first.Count);
        Assert.Equal(first, await PairTextsAsync(f, second));
        Assert.NotEqual(first, await PairTextsAsync(f, third));
        Assert.True(first.Distinct().Count() > 3); // not the same 3 pairs for every prompt
    }

    [Fact]
    public async Task Identical_candidate_texts_are_stored_and_paired_once()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(new
        {
            prompt = "p",
            responses = new object[] { "Same answer.", new { text = "  Same answer.  ", source = "model:x" }, "Other answer.", "Same answer." },
        }));
        Assert.Equal((2L, 2L, 1L), (report.Responses, report.DuplicateResponsesSkipped, report.Comparisons));
        await using var db = await f.DbAsync();
        Assert.Equal(["Same answer.", "Other answer."], await db.Responses.OrderBy(r => r.Id).Select(r => r.Text).ToListAsync());
    }

    [Fact]
    public async Task A_prompt_with_one_distinct_candidate_gets_no_comparison()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "p", responses = new[] { "x", "x " } }));
        Assert.Equal((1L, 1L, 0L), (report.Prompts, report.Responses, report.Comparisons));
    }

    [Fact]
    public void The_pairing_helper_gives_the_documented_pairs()
    {
        Assert.Equal([(0, 1), (0, 2), (1, 2)], Pairing.Pairs(3, PairingMode.All));
        Assert.Equal([(0, 1), (1, 2)], Pairing.Pairs(3, PairingMode.Adjacent));
        Assert.Empty(Pairing.Pairs(1, PairingMode.All));
        Assert.Empty(Pairing.Pairs(0, PairingMode.Adjacent));
        var random = Pairing.Pairs(6, PairingMode.Random, 4, new Random(3));
        Assert.Equal(4, random.Distinct().Count());
        Assert.All(random, p => Assert.True(p.A < p.B));
        Assert.Equal(random, Pairing.Pairs(6, PairingMode.Random, 4, new Random(3)));
    }

    private static async Task<List<string>> PairTextsAsync(ExchangeFixture f, int project)
    {
        await using var db = await f.DbAsync();
        var texts = await db.Responses.ToDictionaryAsync(r => r.Id, r => r.Text);
        return (await db.Comparisons.Where(c => c.ProjectId == project).OrderBy(c => c.Id).ToListAsync())
            .Select(c => $"{texts[c.ResponseAId]}-{texts[c.ResponseBId]}").ToList();
    }
}
