namespace Rlhf.Training;

/// <summary>
/// One problem of a trainer config: the property it belongs to (<see cref="Setting"/>, e.g. "KlCoef"), the CLI option
/// that sets it ("--kl-coef") and what is wrong ("must be >= 0 (got -1)"). As one sentence, the CLI's wording:
/// "--kl-coef must be >= 0 (got -1)"; a form shows <see cref="Text"/> under the field of <see cref="Setting"/>.
/// A problem that involves another setting names it in words in <see cref="Text"/> (a form has its own label for it) and
/// by its option in <paramref name="OptionText"/>, what the CLI prints after <see cref="Option"/>.
/// </summary>
public sealed record ConfigProblem(string Setting, string Option, string Text, string? OptionText = null)
{
    public override string ToString() => $"{Option} {OptionText ?? Text}";
}
