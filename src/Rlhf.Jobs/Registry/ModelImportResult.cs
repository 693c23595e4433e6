using Rlhf.Core.Registry;

namespace Rlhf.Jobs.Registry;

public sealed record ModelImportResult(bool Succeeded, string? Error, Model? Model)
{
    public static ModelImportResult Fail(string error) => new(false, error, null);
}
