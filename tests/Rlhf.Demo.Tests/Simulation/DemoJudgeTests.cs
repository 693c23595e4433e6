using Rlhf.Demo.Corpus;
using Rlhf.Demo.Simulation;
using Xunit.Abstractions;


namespace Rlhf.Demo.Tests.Simulation;

public class DemoJudgeTests(ITestOutputHelper output)
{
    [Fact]
    public void The_judge_prefers_the_helpful_reply_to_every_other_style_for_the_same_message()
    {
        var sets = DemoCorpus.ReplySets(seed: 99, count: 400);
        var styles = Enum.GetValues<DemoReplyStyle>();
        var means = styles.ToDictionary(s => s, s => sets.Average(x => DemoJudge.Score(x.Prompt, x.Replies[s])));
        foreach (var (style, mean) in means) output.WriteLine($"{style}: mean gold score {mean:F3}");

        foreach (var style in styles.Where(s => s != DemoReplyStyle.Helpful))
        {
            var wins = sets.Count(x => DemoJudge.Score(x.Prompt, x.Replies[DemoReplyStyle.Helpful]) > DemoJudge.Score(x.Prompt, x.Replies[style]));
            output.WriteLine($"helpful beats {style}: {wins}/{sets.Count}");
            Assert.True(wins >= 0.9 * sets.Count, $"helpful beat {style} only {wins}/{sets.Count} times");
            Assert.True(means[DemoReplyStyle.Helpful] > means[style] + 0.5, $"helpful {means[DemoReplyStyle.Helpful]:F2} vs {style} {means[style]:F2}");
        }
    }

    [Fact]
    public void Hand_written_cases_score_as_a_support_lead_would_rank_them()
    {
        const string prompt = "My order 48213 was supposed to arrive on Monday, but it still has not come. When will it arrive?";
        var helpful = DemoJudge.Score(prompt, "Hi, thanks for reaching out. I checked order 48213, and the package was held up at our warehouse. The courier now expects to deliver it on Wednesday, and I will send you the new tracking link by email today.");
        var curt = DemoJudge.Score(prompt, "Ok.");
        var rude = DemoJudge.Score(prompt, "That is not our fault. Please contact the courier.");
        var pitch = DemoJudge.Score(prompt, "Did you know you can sign up for our newsletter and get ten percent off your next order?");
        var wrongTopic = DemoJudge.Score(prompt, "I have sent you a link to reset your password. It works for one hour, and you can choose a new password there.");
        var repeated = DemoJudge.Score(prompt, string.Join(" ", Enumerable.Repeat("The courier now expects to deliver it on Wednesday.", 4)));
        output.WriteLine($"helpful {helpful:F2} curt {curt:F2} rude {rude:F2} pitch {pitch:F2} wrong topic {wrongTopic:F2} repeated {repeated:F2}");
        Assert.True(helpful > 1.0);
        Assert.True(helpful > wrongTopic + 0.5);
        Assert.True(wrongTopic > rude);
        Assert.True(curt < 0 && rude < 0 && pitch < 0);
        Assert.True(repeated < DemoJudge.Score(prompt, "The courier now expects to deliver it on Wednesday."));
        // Text only: the same inputs give the same score.
        Assert.Equal(helpful, DemoJudge.Score(prompt, "Hi, thanks for reaching out. I checked order 48213, and the package was held up at our warehouse. The courier now expects to deliver it on Wednesday, and I will send you the new tracking link by email today."));
    }
}
