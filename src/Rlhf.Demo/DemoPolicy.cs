using Rlhf.Demo.Corpus;
using Rlhf.Training.Pretraining;

namespace Rlhf.Demo;

/// <summary>The recipe of the shipped demo policy (models/demo-policy, docs/demo-model.md): <see cref="Pretrainer"/> on <see cref="DemoCorpus"/>.</summary>
public static class DemoPolicy
{
    /// <summary>Trains on config.Examples demo conversations drawn with config.Seed; validates on config.ValidationExamples drawn with another seed.</summary>
    public static PretrainResult Train(PretrainConfig config, Action<PretrainProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var train = Pretrainer.Tokenize(DemoCorpus.Texts(config.Seed, config.Examples));
        var validation = config.ValidationExamples > 0
            ? Pretrainer.Tokenize(DemoCorpus.Texts(unchecked(config.Seed + 1_000_003), config.ValidationExamples))
            : null;
        return Pretrainer.Train(config, train, validation, progress, cancellationToken);
    }
}
